// Snapshot ID rules, mirroring Cloudify's rest_utils.validate_inputs (the manager applies them
// when a snapshot is created; the upload endpoint does not, so the dialog must).

const MAX_LENGTH = 256;
const ALLOWED = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** Returns null when `id` is valid, otherwise a sentence saying what is wrong. */
export function validateSnapshotId(id) {
  if (id.length === 0) return 'Enter a snapshot name.';
  if (id.length > MAX_LENGTH) return `The name is ${id.length} characters long; the limit is ${MAX_LENGTH}.`;
  if (!/^[A-Za-z]/.test(id)) return 'The name must start with a letter (A–Z or a–z).';
  if (!ALLOWED.test(id)) {
    const bad = [...new Set(id.replace(/[A-Za-z0-9_.-]/g, ''))].map((c) => (c === ' ' ? 'space' : `“${c}”`));
    return `The name may contain only letters, digits, “_”, “.” and “-”; remove ${bad.join(', ')}.`;
  }
  return null;
}

/** A valid ID suggested from a file name: "My snap (2).zip" → "My_snap_2". */
export function suggestSnapshotId(fileName) {
  let id = fileName.replace(/\.zip$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(id)) id = `snapshot_${id}`.replace(/_+$/, '');
  return id.slice(0, MAX_LENGTH);
}

/** The REST path of a snapshot's archive, with the ID URL-encoded. */
export function archivePath(id) {
  return `/api/v3.1/snapshots/${encodeURIComponent(id)}/archive`;
}

/** The last path segment of a URL, decoded ('' when none or not a URL). */
export function urlFileName(url) {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    return '';
  }
}
