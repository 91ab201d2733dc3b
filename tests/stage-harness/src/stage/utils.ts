// Stand-in for the parts of Stage.Utils the drop-in uses (Url.isUrl, Url.url, getT).

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
};

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
    const text = STRINGS[`${prefix}.${key}`];
    if (text !== undefined) return text;
    return typeof options?.defaultValue === 'string' ? options.defaultValue : `${prefix}.${key}`;
  };
}

const Utils = { Url, getT };
export default Utils;
