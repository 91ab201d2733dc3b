// The upload: PUT {manager}/api/v3.1/snapshots/{id}/archive with the raw File as the body and
// an RFC 9530 Content-Digest header. XHR rather than fetch, because fetch has no upload progress.

import { archivePath } from './snapshot-id.js';
import { hexToBase64 } from '../lib/snapshot-client.js';

/**
 * Uploads `file` as snapshot `id`.
 * @param {{managerUrl: string, id: string, file: File, sha256: string,
 *          onProgress?: (loaded: number, total: number) => void, signal?: AbortSignal}} args
 * @returns {Promise<{status: number, body: any}>} resolves on 2xx, rejects otherwise
 */
export function uploadSnapshot({ managerUrl, id, file, sha256, onProgress, signal }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `${managerUrl.replace(/\/+$/, '')}${archivePath(id)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Content-Digest', `sha-256=:${hexToBase64(sha256)}:`);
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body = xhr.responseText;
      try {
        body = JSON.parse(body);
      } catch {
        // Not JSON: keep the text.
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ status: xhr.status, body });
      else {
        const detail = body?.message ?? body?.error ?? (typeof body === 'string' ? body.slice(0, 200) : '');
        reject(new Error(`The manager answered HTTP ${xhr.status}${detail ? `: ${detail}` : ''}`));
      }
    };
    xhr.onerror = () => reject(new Error('The upload failed: the manager could not be reached.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** Whether a snapshot with this ID exists already (uploading would replace its archive). */
export async function snapshotExists(managerUrl, id) {
  try {
    const r = await fetch(`${managerUrl.replace(/\/+$/, '')}/api/v3.1/snapshots/${encodeURIComponent(id)}`);
    return r.status === 200;
  } catch {
    return false;
  }
}

/**
 * Upload by URL: `PUT …/snapshots/{id}/archive?snapshot_archive_url=URL` with no body; the
 * manager downloads the archive itself (what the console's URL option does).
 * @returns {Promise<{status: number, body: any}>} resolves on 2xx, rejects otherwise
 */
export async function uploadSnapshotUrl({ managerUrl, id, url, signal }) {
  const target = `${managerUrl.replace(/\/+$/, '')}${archivePath(id)}?snapshot_archive_url=${encodeURIComponent(url)}`;
  let r;
  try {
    r = await fetch(target, { method: 'PUT', signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new Error('The upload failed: the manager could not be reached.');
  }
  const text = await r.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  if (!r.ok) {
    const detail = body?.message ?? (typeof body === 'string' ? body.slice(0, 200) : '');
    throw new Error(`The manager answered HTTP ${r.status}${detail ? `: ${detail}` : ''}`);
  }
  return { status: r.status, body };
}
