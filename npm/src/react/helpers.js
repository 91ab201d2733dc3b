// Framework-free helpers of the `react` entry: upload gating, the RFC 9530 digest header,
// Cloudify's snapshot ID rules and formatting. No React import here.

import { hexToBase64 } from '../lib/snapshot-client.js';

/**
 * Whether a report allows the upload: there is a report and no check found an error.
 * Warnings do not block (readers of the archive agree on its bytes).
 */
export function canUpload(report) {
  return !!report && report.verdict !== 'fail' && (report.summary?.errors ?? 1) === 0;
}

/** `Content-Digest` header value (RFC 9530) for a SHA-256 given as 64 hex digits. */
export function contentDigest(hex) {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TypeError('contentDigest needs a SHA-256 as 64 hex digits');
  }
  return `sha-256=:${hexToBase64(hex.toLowerCase())}:`;
}

const ID_MAX = 256;

/**
 * Cloudify's snapshot ID rules (the manager applies them when a snapshot is created, in
 * rest_utils.validate_inputs, but not on the archive upload): 1–256 of [A-Za-z0-9_.-], starting
 * with a letter. Returns null when `id` is valid, otherwise a sentence saying what is wrong.
 */
export function snapshotIdProblem(id) {
  if (!id) return 'Enter a snapshot name.';
  if (id.length > ID_MAX) return `The name is ${id.length} characters long; the limit is ${ID_MAX}.`;
  if (!/^[A-Za-z]/.test(id)) return 'The name must start with a letter (A–Z or a–z).';
  if (!/^[A-Za-z0-9_.-]*$/.test(id)) {
    const bad = [...new Set(id.replace(/[A-Za-z0-9_.-]/g, ''))].map((c) => (c === ' ' ? 'space' : `“${c}”`));
    return `The name may contain only letters, digits, “_”, “.” and “-”; remove ${bad.join(', ')}.`;
  }
  return null;
}

/** A valid snapshot ID suggested from a file name or URL: "My snap (2).zip" → "My_snap_2". */
export function suggestSnapshotId(name) {
  const base = String(name ?? '').split(/[?#]/)[0].split('/').pop() ?? '';
  let id = base.replace(/\.zip$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[A-Za-z]/.test(id)) id = `snapshot_${id}`.replace(/_+$/, '');
  return id.slice(0, ID_MAX);
}

/** 1536 → "1.5 KiB" (binary units, as the proxy's `maxBodySize` "2gb" means 2 GiB). */
export function formatBytes(bytes) {
  if (bytes == null || !Number.isFinite(bytes)) return '—';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** Seconds → "1 min 05 s" / "12 s". */
export function formatSeconds(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}
