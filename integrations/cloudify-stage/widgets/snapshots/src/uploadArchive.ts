// The archive upload with what Stage's Manager.doUpload (app/utils/External.ts `doUpload`) does
// not offer: an upload-progress listener and extra headers (Content-Digest). Same request
// otherwise: a PUT of the raw File (not multipart) to the proxied manager URL, with the tenant
// header that Internal.buildHeaders adds; authentication rides on Stage's session cookie, and
// the proxy (backend/routes/ServerProxy.ts) forwards the request headers to the manager.

export interface PutArchiveArgs {
  /** `toolbox.getManager().getManagerUrl('/snapshots/<id>/archive')`. */
  url: string;
  file: Blob;
  /** `Content-Digest` header value (RFC 9530), from `contentDigest(sha256)`. */
  digest: string;
  headers?: Record<string, string>;
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

/** The snapshot's archive path for the manager API; the ID is URL-encoded (actions.ts does not). */
export function archivePath(snapshotId: string): string {
  return `/snapshots/${encodeURIComponent(snapshotId)}/archive`;
}

function messageOf(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body && typeof body.message === 'string') return body.message;
  } catch {
    // not JSON
  }
  return xhr.responseText ? xhr.responseText.slice(0, 300) : `HTTP ${xhr.status}`;
}

/** Resolves with the parsed response on 2xx; rejects with `{message}` (what Stage's useErrors shows). */
export function putArchive({ url, file, digest, headers = {}, onProgress, signal }: PutArchiveArgs): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject({ message: 'The upload was cancelled.', cancelled: true });
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    Object.entries(headers).forEach(([key, value]) => xhr.setRequestHeader(key, value));
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('Content-Digest', digest);
    xhr.upload.addEventListener('progress', (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(xhr.responseText ? JSON.parse(xhr.responseText) : {});
        } catch {
          resolve(xhr.responseText);
        }
      } else {
        reject({ message: `The manager refused the upload (HTTP ${xhr.status}): ${messageOf(xhr)}`, status: xhr.status });
      }
    });
    xhr.addEventListener('error', () => reject({ message: 'The upload failed: the manager could not be reached.' }));
    xhr.addEventListener('abort', () => reject({ message: 'The upload was cancelled.', cancelled: true }));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
