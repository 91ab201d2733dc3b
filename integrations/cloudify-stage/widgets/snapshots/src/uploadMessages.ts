// The drop-in's own strings. Each is read through Stage's i18next (`Stage.Utils.getT`) under
// `widgets.snapshots.uploadModal.check.<key>`, with the English text below as its default: the
// modal reads in English with no change to app/translations/en.json, and a translation is a set
// of keys there (the names below; `{{size}}`-style placeholders are i18next interpolation).
import { formatBytes } from 'snapshot-verify-browser/react';

/** The English text of every key: the defaults, and the list of keys a translation provides. */
export const english = {
  tooBigHeader: 'This file is too large to upload through the console',
  tooBig:
    "It is {{size}}; the console's proxy accepts at most {{limit}} (proxy.maxBodySize). " +
    'Put the archive on a server the manager can reach (for example a presigned S3 URL) and give its URL instead: ' +
    'the manager then downloads it itself.',
  useUrl: 'Give a URL instead',
  idExists:
    'A snapshot named “{{id}}” exists already: uploading replaces its archive, while the manager keeps the old ' +
    "snapshot's record. Choose another name to keep both.",
  idRules: 'Snapshot names are 1–256 letters, digits, “_”, “.” and “-”, starting with a letter.',
  urlChecking: 'Checking the archive at this URL from the browser…',
  urlCors: 'The server of this URL does not allow the browser to read it (no CORS headers), so it could not be checked here.',
  urlNoRange: 'The server of this URL does not support ranged reads (HTTP Range), so it could not be checked here.',
  urlFailed: 'The archive at this URL could not be checked from the browser: {{detail}}',
  urlCancelled: 'The check of this URL was cancelled.',
  urlNotSupported: 'This browser module cannot check URLs; the manager will download the archive unchecked.',
  goUnchecked: 'Upload without the check (the manager downloads and restores it as it is)',
  waitForCheck: 'Upload is enabled once the archive has been checked and its SHA-256 computed.',
  failed: 'Upload is disabled: the check found errors that would break or change the restore.',
  uploading: 'Uploading: {{loaded}} of {{total}}',
};

type Key = keyof typeof english;

const translate = Stage.Utils.getT('widgets.snapshots.uploadModal.check');

/** Values are inserted as text (React escapes them), so i18next must not escape them again. */
function say(key: Key, values: Record<string, string> = {}): string {
  return translate(key, { ...values, defaultValue: english[key], interpolation: { escapeValue: false } });
}

export const messages = {
  get tooBigHeader() {
    return say('tooBigHeader');
  },
  tooBig: (size: number, limit: number) => say('tooBig', { size: formatBytes(size), limit: formatBytes(limit) }),
  get useUrl() {
    return say('useUrl');
  },
  idExists: (id: string) => say('idExists', { id }),
  get idRules() {
    return say('idRules');
  },
  get urlChecking() {
    return say('urlChecking');
  },
  get urlCors() {
    return say('urlCors');
  },
  get urlNoRange() {
    return say('urlNoRange');
  },
  urlFailed: (detail: string) => say('urlFailed', { detail }),
  get urlCancelled() {
    return say('urlCancelled');
  },
  get urlNotSupported() {
    return say('urlNotSupported');
  },
  get goUnchecked() {
    return say('goUnchecked');
  },
  get waitForCheck() {
    return say('waitForCheck');
  },
  get failed() {
    return say('failed');
  },
  uploading: (loaded: number, total: number) => say('uploading', { loaded: formatBytes(loaded), total: formatBytes(total) }),
};
