// The drop-in's own strings (English). To translate, move them under
// `widgets.snapshots.uploadModal.check` in app/translations/en.json and read them with
// Stage.Utils.getT, as the existing ones are.
import { formatBytes } from 'snapshot-verify-browser/react';

export const messages = {
  tooBigHeader: 'This file is too large to upload through the console',
  tooBig: (size: number, limit: number) =>
    `It is ${formatBytes(size)}; the console's proxy accepts at most ${formatBytes(limit)} (proxy.maxBodySize). ` +
    'Put the archive on a server the manager can reach (for example a presigned S3 URL) and give its URL instead: ' +
    'the manager then downloads it itself.',
  useUrl: 'Give a URL instead',
  idExists: (id: string) =>
    `A snapshot named “${id}” exists already: uploading replaces its archive, while the manager keeps the old snapshot's record. Choose another name to keep both.`,
  idRules: 'Snapshot names are 1–256 letters, digits, “_”, “.” and “-”, starting with a letter.',
  urlChecking: 'Checking the archive at this URL from the browser…',
  urlCors: 'The server of this URL does not allow the browser to read it (no CORS headers), so it could not be checked here.',
  urlNoRange: 'The server of this URL does not support ranged reads (HTTP Range), so it could not be checked here.',
  urlFailed: (detail: string) => `The archive at this URL could not be checked from the browser: ${detail}`,
  urlCancelled: 'The check of this URL was cancelled.',
  urlNotSupported: 'This browser module cannot check URLs; the manager will download the archive unchecked.',
  goUnchecked: 'Upload without the check (the manager downloads and restores it as it is)',
  waitForCheck: 'Upload is enabled once the archive has been checked and its SHA-256 computed.',
  failed: 'Upload is disabled: the check found errors that would break or change the restore.',
  uploading: (loaded: number, total: number) => `Uploading: ${formatBytes(loaded)} of ${formatBytes(total)}`,
};
