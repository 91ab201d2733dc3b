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
import type { CodeInfo } from 'snapshot-verify-browser/react';
import { getChecker } from './snapshotChecker';
import { archivePath, putArchive } from './uploadArchive';
import { messages } from './uploadMessages';

/**
 * Stage's proxy refuses bodies above `proxy.maxBodySize` (conf/userConfig.json: "2gb", which the
 * `bytes` parser reads as 2 GiB). The browser is not told the configured value, so it is a prop.
 */
export const PROXY_MAX_BODY_SIZE = 2 * 1024 ** 3;

/** How long the URL field must be still before its archive is checked. */
const URL_CHECK_DELAY_MS = 600;

const translateModal = Stage.Utils.getT('widgets.snapshots.uploadModal');
const translateError = Stage.Utils.getT('widgets.snapshots.errors');

/** The panel made of Stage's own semantic-ui-react components (no second copy in the bundle). */
const CheckPanel = createSnapshotCheckPanel(Stage.Basic);

interface UploadModalProps {
  toolbox: Stage.Types.Toolbox;
  /** The proxy's body limit in bytes (default 2 GiB); files above it are steered to the URL option. */
  maxBodySize?: number;
}

type UrlCheck = 'none' | 'checking' | 'passed' | 'failed' | 'blocked' | 'unsupported';

function managerVersion(toolbox: Stage.Types.Toolbox): string | null {
  const state = toolbox.getManagerState();
  const version = state?.version?.version;
  return typeof version === 'string' ? version : null;
}

export default function UploadModal({ toolbox, maxBodySize = PROXY_MAX_BODY_SIZE }: UploadModalProps) {
  const { useBoolean, useErrors, useOpen, useInput } = Stage.Hooks;
  const { ApproveButton, Button, CancelButton, Checkbox, Form, Icon, Message, Modal, Progress } = Stage.Basic;

  const [isLoading, setLoading, unsetLoading] = useBoolean();
  const { errors, setMessageAsError, clearErrors, setErrors } = useErrors();
  const [snapshotId, setSnapshotId, clearSnapshotId] = useInput('');
  const [snapshotFile, setSnapshotFile, clearSnapshotFile] = useInput<File | null>(null);
  const [snapshotUrl, setSnapshotUrl, clearSnapshotUrl] = useInput('');
  const [urlToCheck, setUrlToCheck] = useState<string | null>(null);
  const [goUnchecked, setGoUnchecked] = useState(false);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const uploadController = useRef<AbortController | null>(null);
  const [codes, setCodes] = useState<CodeInfo[] | null>(null);
  const [existingId, setExistingId] = useState<string | null>(null);

  const [isOpen, doOpen, doClose] = useOpen(() => {
    unsetLoading();
    clearErrors();
    clearSnapshotId();
    clearSnapshotFile();
    clearSnapshotUrl();
    setUrlToCheck(null);
    setGoUnchecked(false);
    setProgress(null);
  });

  const tooBig = !!snapshotFile && snapshotFile.size > maxBodySize;
  const urlMode = !snapshotFile;
  const urlIsValid = urlMode && Stage.Utils.Url.isUrl(snapshotUrl) && /^https?:/i.test(snapshotUrl);

  // Check the URL once the field has been still for a moment (a file is checked at once).
  useEffect(() => {
    setGoUnchecked(false);
    if (!isOpen || !urlIsValid) {
      setUrlToCheck(null);
      return undefined;
    }
    const timer = setTimeout(() => setUrlToCheck(snapshotUrl), URL_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [isOpen, snapshotUrl, urlIsValid]);

  // Closing the modal (or choosing another file or URL) cancels every job of the check.
  const source = !isOpen ? null : snapshotFile ?? (urlToCheck === snapshotUrl ? urlToCheck : null);
  const check = useSnapshotCheck(source, {
    checker: source ? getChecker() : undefined,
    targetVersion: managerVersion(toolbox),
    edition: toolbox.getManager().isCommunityEdition() ? 'community' : 'premium',
    // A file the proxy would refuse gets the quick preview only.
    full: !tooBig,
    hash: !tooBig,
  });

  // The finding catalogue, for plain-language explanations under each finding (loaded once).
  useEffect(() => {
    if (!isOpen || codes) return undefined;
    let current = true;
    getChecker()
      .then((checker) => checker.codes())
      .then((list) => current && setCodes(list))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [isOpen, codes]);

  // An upload over an existing snapshot replaces its archive while the manager keeps the old
  // record (upload_manager's conflict is caught and logged): say so before Upload.
  const idToLookUp = snapshotId && !snapshotIdProblem(snapshotId) ? snapshotId : null;
  useEffect(() => {
    setExistingId(null);
    if (!isOpen || !idToLookUp) return undefined;
    let current = true;
    const timer = setTimeout(() => {
      toolbox
        .getManager()
        .doGet(`/snapshots/${encodeURIComponent(idToLookUp)}`)
        .then(
          () => current && setExistingId(idToLookUp),
          () => undefined,
        );
    }, URL_CHECK_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [isOpen, idToLookUp, toolbox]);

  // Closing also cancels an upload in flight.
  useEffect(() => {
    if (!isOpen) uploadController.current?.abort();
  }, [isOpen]);
  useEffect(() => () => uploadController.current?.abort(), []);

  let urlCheck: UrlCheck = 'none';
  if (urlMode && source) {
    const code = check.error?.code;
    if (check.running) urlCheck = 'checking';
    else if (check.status === 'done') urlCheck = canUpload(check.full) ? 'passed' : 'failed';
    else if (check.status === 'error') urlCheck = code === 'bad-request' ? 'unsupported' : 'blocked';
  }

  const idProblem = snapshotId ? snapshotIdProblem(snapshotId) : null;
  const fileReady = !!snapshotFile && !tooBig && canUpload(check.full) && check.sha256 !== null;
  const urlReady =
    urlIsValid && (urlCheck === 'passed' || urlCheck === 'unsupported' || (urlCheck === 'blocked' && goUnchecked));
  const ready = !!snapshotId && !idProblem && (fileReady || urlReady);

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
    const validationErrors: Partial<Record<'snapshotUrl' | 'snapshotId', string>> = {};
    if (!snapshotFile) {
      if (!snapshotUrl) validationErrors.snapshotUrl = translateError('fileOrUrlMissing');
      else if (!urlIsValid) validationErrors.snapshotUrl = translateError('urlInvalid');
    }
    if (!snapshotId) validationErrors.snapshotId = translateError('idMissing');
    else if (idProblem) validationErrors.snapshotId = idProblem;
    if (Object.keys(validationErrors).length > 0) {
      setErrors(validationErrors);
      return;
    }
    if (!ready) return;

    setLoading();
    const manager = toolbox.getManager();
    let upload: Promise<unknown>;
    if (snapshotFile && check.sha256) {
      const controller = new AbortController();
      uploadController.current = controller;
      const tenant = manager.getSelectedTenant();
      setProgress({ loaded: 0, total: snapshotFile.size });
      upload = putArchive({
        url: manager.getManagerUrl(archivePath(snapshotId)),
        file: snapshotFile,
        digest: contentDigest(check.sha256),
        headers: tenant ? { tenant } : {},
        onProgress: (loaded, total) => setProgress({ loaded, total }),
        signal: controller.signal,
      });
    } else {
      upload = manager.doPut(archivePath(snapshotId), { params: { snapshot_archive_url: snapshotUrl } });
    }
    upload
      .then(() => {
        doClose();
        clearErrors();
        toolbox.refresh();
      })
      .catch((err: { message: string; cancelled?: boolean }) => {
        if (!err?.cancelled) setMessageAsError(err);
      })
      .finally(() => {
        unsetLoading();
        setProgress(null);
      });
  }

  const uploadButton = <Button content={translateModal('actions.upload')} icon="upload" labelPosition="left" />;

  return (
    <Modal trigger={uploadButton} open={isOpen} onOpen={doOpen} onClose={doClose} className="upload-snapshot-modal">
      <Modal.Header>
        <Icon name="upload" /> {translateModal('header')}
      </Modal.Header>

      <Modal.Content scrolling>
        <Form loading={isLoading && !progress} errors={errors} onErrorsDismiss={clearErrors}>
          <Form.Field label={translateModal('form.file.label')} required error={errors.snapshotUrl}>
            <Form.UrlOrFile
              name="snapshot"
              value={snapshotUrl}
              placeholder={translateModal('form.file.placeholder')}
              onChangeUrl={onSnapshotUrlChange}
              onChangeFile={onSnapshotFileChange}
              onBlurUrl={() => urlIsValid && setUrlToCheck(snapshotUrl)}
            />
          </Form.Field>

          <Form.Field label={translateModal('form.name.label')} required error={errors.snapshotId ?? idProblem ?? undefined}>
            <Form.Input name="snapshotId" value={snapshotId} onChange={setSnapshotId} title={messages.idRules} />
          </Form.Field>
        </Form>

        {existingId && existingId === snapshotId && (
          <Message warning size="small" className="upload-id-exists">
            {messages.idExists(existingId)}
          </Message>
        )}

        {tooBig && snapshotFile && (
          <Message warning className="upload-too-big">
            <Message.Header>{messages.tooBigHeader}</Message.Header>
            <p>{messages.tooBig(snapshotFile.size, maxBodySize)}</p>
            <Button type="button" basic icon="linkify" content={messages.useUrl} onClick={steerToUrl} className="upload-use-url" />
          </Message>
        )}

        {urlCheck === 'checking' && !check.report && <Message size="small">{messages.urlChecking}</Message>}
        {urlCheck === 'unsupported' && (
          <Message info size="small" className="upload-url-unchecked">
            {messages.urlNotSupported}
          </Message>
        )}
        {urlCheck === 'blocked' && (
          <Message warning size="small" className="upload-url-blocked" data-code={check.error?.code ?? ''}>
            <p>
              {check.error?.code === 'cors' && messages.urlCors}
              {check.error?.code === 'no-range' && messages.urlNoRange}
              {check.error?.code !== 'cors' &&
                check.error?.code !== 'no-range' &&
                messages.urlFailed(String(check.error?.message ?? ''))}
            </p>
            <Checkbox
              className="upload-go-unchecked"
              label={messages.goUnchecked}
              checked={goUnchecked}
              onChange={(_e, data) => setGoUnchecked(!!data.checked)}
            />
          </Message>
        )}

        {(urlCheck !== 'blocked' && urlCheck !== 'unsupported') || !urlMode ? <CheckPanel check={check} codes={codes} /> : null}

        {progress && (
          <Progress
            className="upload-progress"
            percent={progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0}
            progress
            indicating
            label={messages.uploading(progress.loaded, progress.total)}
          />
        )}

        {!ready && !isLoading && snapshotFile && !tooBig && check.status !== 'idle' && (
          <p className="upload-gate-note">{check.full && !canUpload(check.full) ? messages.failed : messages.waitForCheck}</p>
        )}
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
