// Stand-in for the parts of Stage.Utils the drop-in uses (Url.isUrl, Url.url, getT: i18next's
// t with a key prefix, `defaultValue` and `{{name}}` interpolation).

const CONTEXT_PATH = '';

const STRINGS: Record<string, string> = {
  'widgets.snapshots.uploadModal.header': 'Upload snapshot',
  'widgets.snapshots.uploadModal.form.file.label': 'Snapshot file',
  'widgets.snapshots.uploadModal.form.file.placeholder': "Provide the snapshot's file URL or click browse to select a file",
  'widgets.snapshots.uploadModal.form.name.label': 'Snapshot name',
  'widgets.snapshots.uploadModal.actions.upload': 'Upload',
  'widgets.snapshots.errors.fileOrUrlMissing': 'Please select snapshot file or url',
  'widgets.snapshots.errors.urlInvalid': 'Please provide valid URL for snapshot',
  'widgets.snapshots.errors.idMissing': 'Please provide snapshot ID',
  // One of the drop-in's own keys translated, as a Stage build with it in en.json would have it
  // (the rest fall back to the drop-in's English defaults).
  'widgets.snapshots.uploadModal.check.useUrl': 'Use a URL instead (en.json)',
};

/** i18next's `{{name}}` interpolation. */
function interpolate(text: string, values: Record<string, unknown>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

const Url = {
  isUrl(text: string): boolean {
    try {
      const u = new URL(text);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  url(path: string): string {
    return `${CONTEXT_PATH}${path}`;
  },
};

function getT(prefix: string) {
  return (key: string, options?: Record<string, unknown>): string => {
    const found = STRINGS[`${prefix}.${key}`] ?? options?.defaultValue;
    return typeof found === 'string' ? interpolate(found, options ?? {}) : `${prefix}.${key}`;
  };
}

const Utils = { Url, getT };
export default Utils;
