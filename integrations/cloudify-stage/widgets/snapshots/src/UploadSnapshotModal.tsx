// Drop-in replacement for widgets/snapshots/src/UploadSnapshotModal.tsx of Cloudify Stage,
// written against Stage's public widget API (Stage.Basic, Stage.Hooks, Stage.Utils, toolbox).
// It keeps the file-or-URL choice and the ID validation, and adds: the in-browser check of the
// archive (snapshot-verify-browser), Upload gating on its result, the Content-Digest header
// (RFC 9530) on the file upload, upload progress, and steering of files above the proxy's body
// limit to the URL option (the manager then downloads the archive itself).
import React, { useEffect, useRef, useState } from 'react';
import {
  canUpload,
  contentDigest,
  createSnapshotCheckPanel,
  snapshotIdProblem,
  suggestSnapshotId,
  useSnapshotCheck,
} from 'snapshot-verify-browser/react';
import type { CodeInfo, SnapshotCheck } from 'snapshot-verify-browser/react';
import { getChecker } from './snapshotChecker';
import { archivePath, putArchive } from './uploadArchive';
import { useCatalogue, useSettled, useSnapshotExists } from './uploadHooks';
import { messages } from './uploadMessages';
import { TooBigNotice, UrlNotCheckedNotice } from './UploadNotices';

/**
 * Stage's proxy refuses bodies above `proxy.maxBodySize` (conf/userConfig.json: "2gb", which the
 * `bytes` parser reads as 2 GiB). The browser is not told the configured value, so it is a prop.
 */
export const PROXY_MAX_BODY_SIZE = 2 * 1024 ** 3;

const translateModal = Stage.Utils.getT('widgets.snapshots.uploadModal');
const translateError = Stage.Utils.getT('widgets.snapshots.errors');

/** The panel made of Stage's own semantic-ui-react components (no second copy in the bundle). */
const CheckPanel = createSnapshotCheckPanel(Stage.Basic);

interface UploadModalProps {
  toolbox: Stage.Types.Toolbox;
  /** The proxy's body limit in bytes (default 2 GiB); files above it are steered to the URL option. */
  maxBodySize?: number;
}

/** Where the check of a URL stands: 'blocked' offers to go on unchecked. */
type UrlCheck = 'none' | 'checking' | 'passed' | 'failed' | 'blocked' | 'unsupported';

function urlCheckOf(check: SnapshotCheck): UrlCheck {
  if (check.running) return 'checking';
  if (check.status === 'done') return canUpload(check.full) ? 'passed' : 'failed';
  // A client that cannot read URLs says 'bad-request': the manager downloads it unchecked.
  if (check.status === 'error') return check.error?.code === 'bad-request' ? 'unsupported' : 'blocked';
  if (check.status === 'cancelled') return 'blocked';
  return 'none';
}

/** The form's errors, as Stage's modal reports them (plus the ID rules). */
function validate(file: File | null, url: string, urlIsValid: boolean, id: string, idProblem: string | null) {
  const found: Partial<Record<'snapshotUrl' | 'snapshotId', string>> = {};
  if (!file) {
    if (!url) found.snapshotUrl = translateError('fileOrUrlMissing');
    else if (!urlIsValid) found.snapshotUrl = translateError('urlInvalid');
  }
  if (!id) found.snapshotId = translateError('idMissing');
  else if (idProblem) found.snapshotId = idProblem;
  return found;
}

/** PUT of the raw file with its digest and progress (see uploadArchive.ts). */
function uploadFile(
  toolbox: Stage.Types.Toolbox,
  snapshotId: string,
  file: File,
  sha256: string,
  onProgress: (loaded: number, total: number) => void,
  signal: AbortSignal,
) {
  const manager = toolbox.getManager();
  const tenant = manager.getSelectedTenant();
  return putArchive({
    url: manager.getManagerUrl(archivePath(snapshotId)),
    file,
    digest: contentDigest(sha256),
    headers: tenant ? { tenant } : {},
    onProgress,
    signal,
  });
}

function managerVersion(toolbox: Stage.Types.Toolbox): string | null {
  const state = toolbox.getManagerState();
  const version = state?.version?.version;
  return typeof version === 'string' ? version : null;
}

/**
 * The check of the chosen file, or of the URL once it has been still for a moment (or lost
 * focus). Closing the modal, or choosing another file or URL, cancels every job of the check.
 */
function useUploadCheck(
  toolbox: Stage.Types.Toolbox,
  isOpen: boolean,
  file: File | null,
  url: string,
  maxBodySize: number,
) {
  const tooBig = !!file && file.size > maxBodySize;
  const urlMode = !file;
  const urlIsValid = urlMode && Stage.Utils.Url.isUrl(url) && /^https?:/i.test(url);
  const [urlToCheck, setUrlToCheck] = useSettled(url, isOpen && urlIsValid);
  const source = !isOpen ? null : file ?? urlToCheck;
  const check = useSnapshotCheck(source, {
    checker: source ? getChecker() : undefined,
    targetVersion: managerVersion(toolbox),
    edition: toolbox.getManager().isCommunityEdition() ? 'community' : 'premium',
    // A file the proxy would refuse gets the quick preview only.
    full: !tooBig,
    hash: !tooBig,
  });
  const urlCheck: UrlCheck = urlMode && source ? urlCheckOf(check) : 'none';
  return { tooBig, urlMode, urlIsValid, setUrlToCheck, check, urlCheck };
}

interface CheckNoticesProps {
  check: SnapshotCheck;
  codes: CodeInfo[] | null;
  urlCheck: UrlCheck;
  existingId: string | null;
  tooBigFile: File | null;
  maxBodySize: number;
  onUseUrl: () => void;
  goUnchecked: boolean;
  onGoUnchecked: (value: boolean) => void;
}

/** The check's panel and the notices around it. */
function CheckNotices({ check, codes, urlCheck, existingId, tooBigFile, maxBodySize, onUseUrl, goUnchecked, onGoUnchecked }: CheckNoticesProps) {
  const { Message } = Stage.Basic;
  return (
    <>
      {existingId && (
        <Message warning size="small" className="upload-id-exists">
          {messages.idExists(existingId)}
        </Message>
      )}
      {tooBigFile && <TooBigNotice size={tooBigFile.size} limit={maxBodySize} onUseUrl={onUseUrl} />}
      {urlCheck === 'checking' && !check.report && <Message size="small">{messages.urlChecking}</Message>}
      {urlCheck === 'unsupported' && (
        <Message info size="small" className="upload-url-unchecked">
          {messages.urlNotSupported}
        </Message>
      )}
      {urlCheck === 'blocked' && <UrlNotCheckedNotice check={check} goUnchecked={goUnchecked} onGoUnchecked={onGoUnchecked} />}
      {urlCheck !== 'blocked' && urlCheck !== 'unsupported' && <CheckPanel check={check} codes={codes} />}
    </>
  );
}

/** The upload: progress, and abort when the modal closes or unmounts. */
function useUpload(isOpen: boolean) {
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const controller = useRef<AbortController | null>(null);
  useEffect(() => {
    if (!isOpen) controller.current?.abort();
  }, [isOpen]);
  useEffect(() => () => controller.current?.abort(), []);

  /** A file goes up with its digest and progress; a URL is handed to the manager. */
  function startUpload(toolbox: Stage.Types.Toolbox, id: string, file: File | null, sha256: string | null, url: string) {
    if (!file || !sha256) {
      return toolbox.getManager().doPut(archivePath(id), { params: { snapshot_archive_url: url } });
    }
    const current = new AbortController();
    controller.current = current;
    setProgress({ loaded: 0, total: file.size });
    const onProgress = (loaded: number, total: number) => setProgress({ loaded, total });
    return uploadFile(toolbox, id, file, sha256, onProgress, current.signal).finally(() => setProgress(null));
  }
  return { progress, startUpload };
}

/** Upload progress, or why Upload is still off. */
function UploadStatus({ progress, note }: { progress: { loaded: number; total: number } | null; note: string | null }) {
  const { Progress } = Stage.Basic;
  if (progress) {
    return (
      <Progress
        className="upload-progress"
        percent={progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0}
        progress
        indicating
        label={messages.uploading(progress.loaded, progress.total)}
      />
    );
  }
  return note ? <p className="upload-gate-note">{note}</p> : null;
}

interface GateInputs {
  idOk: boolean;
  file: File | null;
  tooBig: boolean;
  check: SnapshotCheck;
  urlIsValid: boolean;
  urlCheck: UrlCheck;
  goUnchecked: boolean;
  isLoading: boolean;
}

/**
 * Upload is on for a valid name and either a file whose full verification passed and whose
 * SHA-256 is known, or a URL that passed its check (or that the user chose to send unchecked).
 */
function uploadGate({ idOk, file, tooBig, check, urlIsValid, urlCheck, goUnchecked, isLoading }: GateInputs) {
  const fileReady = !!file && !tooBig && canUpload(check.full) && check.sha256 !== null;
  const urlReady =
    urlIsValid && (urlCheck === 'passed' || urlCheck === 'unsupported' || (urlCheck === 'blocked' && goUnchecked));
  const ready = idOk && (fileReady || urlReady);
  let note: string | null = null;
  if (!ready && !isLoading && file && !tooBig && check.status !== 'idle') {
    note = check.full && !canUpload(check.full) ? messages.failed : messages.waitForCheck;
  }
  return { ready, note };
}

interface SnapshotFieldsProps {
  loading: boolean;
  errors: Partial<Record<'snapshotUrl' | 'snapshotId', string>>;
  onErrorsDismiss: () => void;
  url: string;
  onUrlChange: (url: string) => void;
  onFileChange: (file?: File) => void;
  onUrlBlur: () => void;
  id: string;
  idProblem: string | null;
  onIdChange: (event: unknown, field?: { value?: string | number | boolean }) => void;
}

/** The form: the archive (file or URL) and the snapshot's name, with Stage's own strings. */
function SnapshotFields(props: SnapshotFieldsProps) {
  const { Form } = Stage.Basic;
  const { errors } = props;
  return (
    <Form loading={props.loading} errors={errors} onErrorsDismiss={props.onErrorsDismiss}>
      <Form.Field label={translateModal('form.file.label')} required error={errors.snapshotUrl}>
        <Form.UrlOrFile
          name="snapshot"
          value={props.url}
          placeholder={translateModal('form.file.placeholder')}
          onChangeUrl={props.onUrlChange}
          onChangeFile={props.onFileChange}
          onBlurUrl={props.onUrlBlur}
        />
      </Form.Field>

      <Form.Field label={translateModal('form.name.label')} required error={errors.snapshotId ?? props.idProblem ?? undefined}>
        <Form.Input name="snapshotId" value={props.id} onChange={props.onIdChange} title={messages.idRules} />
      </Form.Field>
    </Form>
  );
}

export default function UploadModal({ toolbox, maxBodySize = PROXY_MAX_BODY_SIZE }: UploadModalProps) {
  const { useBoolean, useErrors, useOpen, useInput } = Stage.Hooks;
  const { ApproveButton, Button, CancelButton, Icon, Modal } = Stage.Basic;

  const [isLoading, setLoading, unsetLoading] = useBoolean();
  const { errors, setMessageAsError, clearErrors, setErrors } = useErrors();
  const [snapshotId, setSnapshotId, clearSnapshotId] = useInput('');
  const [snapshotFile, setSnapshotFile, clearSnapshotFile] = useInput<File | null>(null);
  const [snapshotUrl, setSnapshotUrl, clearSnapshotUrl] = useInput('');
  const [goUnchecked, setGoUnchecked] = useState(false);

  const [isOpen, doOpen, doClose] = useOpen(() => {
    unsetLoading();
    clearErrors();
    clearSnapshotId();
    clearSnapshotFile();
    clearSnapshotUrl();
    setGoUnchecked(false);
  });
  const { progress, startUpload } = useUpload(isOpen);

  const checked = useUploadCheck(toolbox, isOpen, snapshotFile, snapshotUrl, maxBodySize);
  const { tooBig, urlIsValid, setUrlToCheck, check, urlCheck } = checked;
  useEffect(() => setGoUnchecked(false), [snapshotUrl]);
  const codes = useCatalogue(isOpen);

  const idProblem = snapshotId ? snapshotIdProblem(snapshotId) : null;
  const [settledId] = useSettled(snapshotId, isOpen && !!snapshotId && !idProblem);
  const idExists = useSnapshotExists(toolbox, settledId);

  const idOk = !!snapshotId && !idProblem;
  const { ready, note } = uploadGate({ ...checked, idOk, file: snapshotFile, goUnchecked, isLoading });

  function onSnapshotFileChange(file?: File) {
    if (!file) return;
    setSnapshotUrl(file.name);
    setSnapshotFile(file);
    if (!snapshotId) setSnapshotId(suggestSnapshotId(file.name));
  }

  function onSnapshotUrlChange(url: string) {
    setSnapshotUrl(url);
    clearSnapshotFile();
  }

  function steerToUrl() {
    clearSnapshotFile();
    clearSnapshotUrl();
  }

  function submitUpload() {
    const validationErrors = validate(snapshotFile, snapshotUrl, urlIsValid, snapshotId, idProblem);
    if (Object.keys(validationErrors).length > 0) {
      setErrors(validationErrors);
      return;
    }
    if (!ready) return;

    setLoading();
    startUpload(toolbox, snapshotId, snapshotFile, check.sha256, snapshotUrl)
      .then(() => {
        doClose();
        clearErrors();
        toolbox.refresh();
      })
      .catch((err: { message: string; cancelled?: boolean }) => {
        if (!err?.cancelled) setMessageAsError(err);
      })
      .finally(unsetLoading);
  }

  const uploadButton = <Button content={translateModal('actions.upload')} icon="upload" labelPosition="left" />;

  return (
    <Modal trigger={uploadButton} open={isOpen} onOpen={doOpen} onClose={doClose} className="upload-snapshot-modal">
      <Modal.Header>
        <Icon name="upload" /> {translateModal('header')}
      </Modal.Header>

      <Modal.Content scrolling>
        <SnapshotFields
          loading={isLoading && !progress}
          errors={errors}
          onErrorsDismiss={clearErrors}
          url={snapshotUrl}
          onUrlChange={onSnapshotUrlChange}
          onFileChange={onSnapshotFileChange}
          onUrlBlur={() => urlIsValid && setUrlToCheck(snapshotUrl)}
          id={snapshotId}
          idProblem={idProblem}
          onIdChange={setSnapshotId}
        />

        <CheckNotices
          check={check}
          codes={codes}
          urlCheck={urlCheck}
          existingId={idExists ? snapshotId : null}
          tooBigFile={tooBig ? snapshotFile : null}
          maxBodySize={maxBodySize}
          onUseUrl={steerToUrl}
          goUnchecked={goUnchecked}
          onGoUnchecked={setGoUnchecked}
        />
        <UploadStatus progress={progress} note={note} />
      </Modal.Content>

      <Modal.Actions>
        <CancelButton onClick={doClose} />
        <ApproveButton
          onClick={submitUpload}
          disabled={isLoading || !ready}
          content={translateModal('actions.upload')}
          icon="upload"
          className="upload-approve"
        />
      </Modal.Actions>
    </Modal>
  );
}
