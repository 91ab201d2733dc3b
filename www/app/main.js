// The upload dialog: choose or drop a snapshot, see the quick report within a second, watch the
// SHA-256 and the full verification run in two workers, then upload with a Content-Digest.

import config from '../config.js';
import { SnapshotChecker } from '../lib/snapshot-client.js';
import { Announcer } from './announcer.js';
import { formatBytes, formatBytesExact, formatDecimal, formatDuration, formatRate } from './format.js';
import { ProgressRow } from './progress.js';
import { h, plural, renderCompatibility, renderFindings, renderPreview, renderSecurity, verdictOf } from './render.js';
import { suggestSnapshotId, urlFileName, validateSnapshotId } from './snapshot-id.js';
import { snapshotExists, uploadSnapshot, uploadSnapshotUrl } from './upload.js';

const $ = (id) => document.getElementById(id);

const ui = {
  dialog: $('upload-dialog'),
  form: $('upload-form'),
  loading: $('loading'),
  fileInput: $('file-input'),
  chooseFile: $('choose-file'),
  dropZone: $('drop-zone'),
  fileSummary: $('file-summary'),
  snapshotId: $('snapshot-id'),
  idError: $('snapshot-id-error'),
  idExists: $('snapshot-id-exists'),
  targetVersion: $('target-version'),
  edition: $('edition'),
  runtime: $('target-runtime'),
  sizeWarning: $('size-warning'),
  readError: $('read-error'),
  results: $('results'),
  details: $('details'),
  verdict: $('verdict'),
  verdictTitle: $('verdict-title'),
  verdictDetail: $('verdict-detail'),
  verdictTiming: $('verdict-timing'),
  preview: $('preview'),
  compatibility: $('compatibility'),
  security: $('security'),
  findings: $('findings'),
  findingsLevel: $('findings-level'),
  integrity: $('integrity'),
  shaValue: $('sha256-value'),
  copySha: $('copy-sha'),
  cancelChecks: $('cancel-checks'),
  restartChecks: $('restart-checks'),
  uploadSection: $('upload-section'),
  uploadResult: $('upload-result'),
  uploadHint: $('upload-hint'),
  uploadButton: $('upload-button'),
  urlInput: $('snapshot-url'),
  checkUrl: $('check-url'),
  urlUnchecked: $('url-unchecked'),
  urlUncheckedText: $('url-unchecked-text'),
  goUnchecked: $('go-unchecked'),
};

const announcer = new Announcer($('announcer'));
const rows = {
  hash: new ProgressRow($('hash-row'), 'SHA-256', announcer),
  verify: new ProgressRow($('verify-row'), 'Full verification', announcer),
  upload: new ProgressRow($('upload-row'), 'Upload', announcer),
};

/** Measurements of this page's checks (the quick check's time is shown in the dialog). */
const metrics = { inspectMs: null, maxWasmMemory: 0, cancelMs: null, hashMs: null, verifyMs: null };

/**
 * The browser tests' view of the page: its measurements and the reports it shows. Exposed (as
 * `window.snapshotDialog`) only with a module built with the `testing` feature
 * (`scripts/build-wasm.sh --testing`); a release build leaves the page without test hooks.
 */
function exposeTestHooks() {
  window.snapshotDialog = {
    metrics,
    get quick() { return state.quick; },
    get full() { return state.full; },
    get sha256() { return state.sha256; },
  };
}

const state = {
  checker: null,
  ready: null, // resolves once the checker is ready (or failed to start)
  codes: new Map(),
  file: null,
  url: null, // upload by URL: the http(s) URL checked with ranged requests instead of a file
  unchecked: false, // the URL could not be checked (CORS, no Range) and the user went on anyway
  quick: null,
  full: null,
  sha256: null,
  running: { hash: false, verify: false },
  checks: null, // AbortController of the running background checks
  upload: null, // AbortController of the running upload
  idEdited: false,
  generation: 0, // bumps on every new file or option change; stale results are dropped
};

// ---------- options and gating ----------

function options() {
  return {
    target_version: ui.targetVersion.value.trim() || null,
    edition: ui.edition.value,
    runtime: ui.runtime.value,
    file_name: state.file?.name ?? (state.url ? urlFileName(state.url) : ''),
  };
}

/** What the checks read: the chosen File, or the URL. */
const source = () => state.file ?? state.url;


function idProblem() {
  return validateSnapshotId(ui.snapshotId.value);
}

/** Enables Upload only when the name is valid and every check finished without errors. */
function updateUploadState() {
  const reasons = [];
  if (state.url) {
    if (!state.unchecked) {
      if (!state.quick) reasons.push(state.running.verify ? 'wait for the URL check' : 'check the URL');
      else if (state.quick.summary.errors > 0) reasons.push('the snapshot has errors and cannot be uploaded');
      else if (!state.full) reasons.push(state.running.verify ? 'wait for full verification' : 'run full verification');
      else if (state.full.summary.errors > 0) reasons.push('full verification found errors');
    }
  } else if (!state.file) reasons.push('choose a snapshot file');
  else {
    if (!state.quick) reasons.push('wait for the quick check');
    else if (state.quick.summary.errors > 0) reasons.push('the snapshot has errors and cannot be uploaded');
    if (state.quick && state.quick.summary.errors === 0) {
      if (!state.sha256) reasons.push(state.running.hash ? 'wait for the SHA-256' : 'run the SHA-256');
      if (!state.full) reasons.push(state.running.verify ? 'wait for full verification' : 'run full verification');
      else if (state.full.summary.errors > 0) reasons.push('full verification found errors');
    }
  }
  if (idProblem()) reasons.push('enter a valid snapshot name');
  const uploading = state.upload !== null;
  ui.uploadButton.disabled = reasons.length > 0 || uploading;
  ui.uploadHint.textContent = uploading
    ? 'Uploading…'
    : reasons.length ? `To upload: ${reasons.join('; ')}.` : 'Ready to upload.';
}

// ---------- file selection ----------

function resetChecks() {
  state.generation += 1;
  state.checks?.abort();
  state.checks = null;
  state.quick = state.full = state.sha256 = null;
  state.running = { hash: false, verify: false };
  ui.results.hidden = true;
  ui.details.hidden = true;
  ui.readError.hidden = true;
  ui.shaValue.hidden = true;
  ui.uploadSection.hidden = true;
  ui.urlUnchecked.hidden = true;
  state.unchecked = false;
  rows.hash.reset();
  rows.verify.reset();
}

function selectFile(file) {
  if (!file) return;
  state.upload?.abort();
  resetChecks();
  state.file = file;
  state.url = null;
  ui.fileSummary.hidden = false;
  const modified = file.lastModified ? ` · modified ${new Date(file.lastModified).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}` : '';
  ui.fileSummary.replaceChildren(h('strong', {}, file.name), ` · ${formatBytesExact(file.size)}${modified}`);
  if (!/\.zip$/i.test(file.name)) {
    ui.fileSummary.append(h('span', { class: 'warn-text' }, ' · not a .zip name; checking the contents anyway'));
  }
  if (!state.idEdited || !ui.snapshotId.value) {
    ui.snapshotId.value = suggestSnapshotId(file.name);
    validateIdField();
  }
  const over = file.size > config.proxyMaxBodySize;
  ui.sizeWarning.hidden = !over;
  if (over) {
    ui.sizeWarning.textContent = `This file is ${formatDecimal(file.size)}, over the console's upload limit of ${formatDecimal(config.proxyMaxBodySize)} (proxy.maxBodySize). The upload will probably be refused: upload it with “cfy snapshots upload”, or raise the limit first.`;
  }
  announcer.say(`Checking ${file.name}`);
  runChecks({ hash: true });
}

/**
 * Upload by URL: checks the URL in this browser (ranged requests from the worker) before the
 * manager is asked to fetch it: the quick check, then the full verification (no SHA-256: the
 * manager downloads the archive itself). A URL that cannot be read from this page (CORS, no
 * Range support) can still be uploaded unchecked, on purpose.
 */
function selectUrl(text) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    url = null;
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    showReadError(new Error('enter an http(s) URL'));
    return;
  }
  state.upload?.abort();
  resetChecks();
  state.file = null;
  state.url = url.href;
  ui.fileInput.value = '';
  ui.fileSummary.hidden = false;
  ui.fileSummary.replaceChildren(h('strong', {}, urlFileName(url.href) || url.host), ` · by URL from ${url.host}`);
  ui.sizeWarning.hidden = true;
  if (!state.idEdited || !ui.snapshotId.value) {
    ui.snapshotId.value = suggestSnapshotId(urlFileName(url.href) || 'snapshot.zip');
    validateIdField();
  }
  announcer.say(`Checking ${url.href}`);
  runChecks({ hash: false });
}

ui.checkUrl.addEventListener('click', () => selectUrl(ui.urlInput.value));
ui.urlInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    selectUrl(ui.urlInput.value);
  }
});
ui.goUnchecked.addEventListener('click', () => {
  state.unchecked = true;
  ui.urlUncheckedText.textContent = 'The URL was not checked; the manager will fetch it as it is.';
  ui.goUnchecked.hidden = true;
  updateUploadState();
  ui.snapshotId.focus();
});

/** The URL cannot be read from this page: say why and offer to go on without the check. */
function offerUnchecked(err) {
  state.checks?.abort();
  ui.urlUnchecked.hidden = false;
  ui.goUnchecked.hidden = false;
  ui.urlUncheckedText.textContent = err.code === 'cors'
    ? 'This page may not read the URL (its server does not allow it: CORS), so it cannot be checked here.'
    : 'The URL’s server does not answer range requests, so checking it would mean downloading it whole.';
}

/** Runs the quick check, then (in parallel) the SHA-256 and full verification. */
async function runChecks({ hash }) {
  const generation = state.generation;
  await state.ready;
  if (generation !== state.generation || !state.checker) return;
  runInspect();
  startBackgroundChecks({ hash });
}

ui.chooseFile.addEventListener('click', () => ui.fileInput.click());
ui.fileInput.addEventListener('change', () => {
  selectFile(ui.fileInput.files[0]);
  // Keep focus on the visible control after the native picker closes.
  ui.chooseFile.focus();
});

// Drag and drop is an extra: the button above does the same (WCAG 2.5.7).
for (const type of ['dragenter', 'dragover']) {
  ui.dropZone.addEventListener(type, (e) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    ui.dropZone.dataset.dragging = 'true';
  });
}
ui.dropZone.addEventListener('dragleave', () => { ui.dropZone.dataset.dragging = 'false'; });
ui.dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.dropZone.dataset.dragging = 'false';
  const file = e.dataTransfer.files[0];
  if (file) selectFile(file);
});

// ---------- quick check ----------

async function runInspect() {
  const generation = state.generation;
  const file = source();
  try {
    const t0 = performance.now();
    const { report } = await state.checker.inspect(file, options());
    if (generation !== state.generation) return;
    metrics.inspectMs = performance.now() - t0;
    state.quick = report;
    renderReport(report, 'quick');
    ui.verdictTiming.textContent = `Quick check: ${Math.round(metrics.inspectMs)} ms (end records, central directory, local headers, metadata).`;
    const v = verdictOf(report);
    announcer.say(`${v.title}. ${v.detail}.`);
  } catch (err) {
    if (generation !== state.generation) return;
    showReadError(err);
  }
  updateUploadState();
}

function showReadError(err) {
  ui.readError.hidden = false;
  ui.readError.textContent = `Could not check the ${state.url ? 'URL' : 'file'}: ${err.message}`;
  if (state.url && (err.code === 'cors' || err.code === 'no-range')) offerUnchecked(err);
  announcer.say(ui.readError.textContent);
}

/** Renders a report (quick first, then full, which supersedes it). */
function renderReport(report, level) {
  const v = verdictOf(report);
  ui.results.hidden = false;
  ui.details.hidden = false;
  ui.verdict.dataset.tone = v.tone;
  ui.verdictTitle.textContent = v.title;
  const detail = `${v.detail[0].toUpperCase()}${v.detail.slice(1)}`;
  ui.verdictDetail.textContent = /[.!?]$/.test(detail) ? detail : `${detail}.`;
  ui.preview.replaceChildren(renderPreview(report));
  ui.compatibility.replaceChildren(renderCompatibility(report));
  ui.security.replaceChildren(renderSecurity(report));
  ui.findings.replaceChildren(renderFindings(report, state.codes));
  ui.findingsLevel.textContent = level === 'full' ? '(full verification)' : '(quick check; full verification follows)';
  ui.results.dataset.level = level;
}

// ---------- SHA-256 and full verification ----------

function startBackgroundChecks({ hash: withHash }) {
  const generation = state.generation;
  const controller = new AbortController();
  state.checks = controller;
  ui.integrity.hidden = false;
  ui.cancelChecks.hidden = false;
  ui.cancelChecks.disabled = false;
  ui.restartChecks.hidden = true;
  const track = (m) => { metrics.maxWasmMemory = Math.max(metrics.maxWasmMemory, m.memory ?? 0); };

  state.running.hash = withHash;
  if (withHash) rows.hash.update({ done: 0, total: state.file.size, bps: 0 });
  else if (state.url) rows.hash.finish('Not computed: the manager downloads the URL itself');
  const hash = !withHash ? Promise.resolve() : state.checker.sha256(state.file, {
    signal: controller.signal,
    onProgress: (p) => { track(p); if (generation === state.generation) rows.hash.update(p); },
  }).then((r) => {
    if (generation !== state.generation) return;
    track(r);
    metrics.hashMs = r.ms;
    state.sha256 = r.hex;
    rows.hash.finish(`Done · ${formatBytes(r.bytes)} in ${formatDuration(r.ms / 1000)}${rateText(r.bytes, r.ms)}`);
    ui.shaValue.hidden = false;
    ui.shaValue.querySelector('code').textContent = r.hex;
    announcer.say('SHA-256 finished.');
  });

  state.running.verify = true;
  rows.verify.update({ done: 0, total: 1, bps: 0 });
  const verify = startVerify(generation, controller.signal, track);

  const settle = (name) => (err) => {
    if (generation !== state.generation) return;
    if (state.url && (err?.code === 'cors' || err?.code === 'no-range')) offerUnchecked(err);
    rows[name].finish(err?.name === 'AbortError' ? 'Cancelled' : `Failed: ${err.message}`, err?.name === 'AbortError' ? 'cancelled' : 'failed');
    if (err?.name !== 'AbortError') announcer.say(`${name === 'hash' ? 'SHA-256' : 'Full verification'} failed: ${err.message}`);
  };
  const done = (name) => () => {
    if (generation !== state.generation) return;
    state.running[name] = false;
    if (!state.running.hash && !state.running.verify) {
      ui.cancelChecks.hidden = true;
      ui.restartChecks.hidden = !!(state.sha256 && state.full);
    }
    updateUploadState();
  };
  hash.catch(settle('hash')).finally(done('hash'));
  verify.catch(settle('verify')).finally(done('verify'));
  updateUploadState();
}

/** " · 312 MB/s" for runs long enough for a rate to mean something, else nothing. */
function rateText(bytes, ms) {
  return ms >= 500 ? ` · ${formatRate(bytes / (ms / 1000))}` : '';
}

function startVerify(generation, signal, track) {
  return state.checker.verify(source(), options(), {
    signal,
    onProgress: (p) => { track(p); if (generation === state.generation) rows.verify.update(p); },
  }).then((r) => {
    if (generation !== state.generation) return;
    track(r);
    metrics.verifyMs = r.ms;
    state.full = r.report;
    const entries = r.report.summary.entries_verified;
    rows.verify.finish(`Done · ${plural(entries, 'entry', 'entries')} decompressed and checked${rateText(r.bytes, r.ms)}`);
    renderReport(r.report, 'full');
    const v = verdictOf(r.report);
    announcer.say(`Full verification finished. ${v.title}.`);
  });
}

ui.cancelChecks.addEventListener('click', async () => {
  const controller = state.checks;
  if (!controller) return;
  const t0 = performance.now();
  const generation = state.generation;
  controller.abort();
  ui.cancelChecks.disabled = true;
  // Wait until both jobs have really stopped, to measure (and show) the latency.
  await waitUntil(() => !state.running.hash && !state.running.verify);
  if (generation !== state.generation) return;
  metrics.cancelMs = performance.now() - t0;
  ui.restartChecks.hidden = false;
  announcer.say('Checks cancelled.');
  ui.restartChecks.focus();
});

ui.restartChecks.addEventListener('click', () => {
  if (state.url) {
    selectUrl(state.url);
    ui.cancelChecks.focus();
    return;
  }
  if (!state.file) return;
  selectFile(state.file);
  ui.cancelChecks.focus();
});

ui.copySha.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(state.sha256);
    announcer.say('SHA-256 copied.');
  } catch {
    announcer.say('Copying is not allowed here; select the text instead.');
  }
});

function waitUntil(predicate) {
  return new Promise((resolve) => {
    const poll = () => (predicate() ? resolve() : setTimeout(poll, 5));
    poll();
  });
}

// ---------- options ----------

let optionsTimer = 0;
/** The target changes the prediction: re-run the quick check and full verification. */
function optionsChanged() {
  clearTimeout(optionsTimer);
  optionsTimer = setTimeout(() => {
    if (state.url && !state.file) {
      selectUrl(state.url);
      return;
    }
    if (!state.file) return;
    // A finished hash does not depend on the options: keep it.
    const kept = !state.running.hash && state.sha256 ? { hex: state.sha256, text: rows.hash.text } : null;
    resetChecks();
    if (kept) {
      state.sha256 = kept.hex;
      rows.hash.finish(kept.text);
      ui.shaValue.hidden = false;
    }
    runChecks({ hash: !kept });
  }, 300);
}
ui.targetVersion.addEventListener('input', optionsChanged);
ui.edition.addEventListener('change', optionsChanged);
ui.runtime.addEventListener('change', optionsChanged);

// ---------- snapshot name ----------

let existsTimer = 0;
function validateIdField() {
  const problem = idProblem();
  ui.idError.hidden = !problem;
  ui.idError.textContent = problem ?? '';
  ui.snapshotId.setAttribute('aria-invalid', problem ? 'true' : 'false');
  ui.idExists.hidden = true;
  clearTimeout(existsTimer);
  if (!problem) {
    const id = ui.snapshotId.value;
    existsTimer = setTimeout(async () => {
      if (id === ui.snapshotId.value && (await snapshotExists(config.managerUrl, id))) {
        ui.idExists.hidden = false;
        ui.idExists.textContent = `A snapshot named “${id}” already exists; uploading replaces its archive.`;
      }
    }, 300);
  }
  updateUploadState();
}
ui.snapshotId.addEventListener('input', () => {
  state.idEdited = true;
  validateIdField();
});

// ---------- upload ----------

ui.form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (ui.uploadButton.disabled) return;
  const id = ui.snapshotId.value;
  const controller = new AbortController();
  state.upload = controller;
  ui.uploadSection.hidden = false;
  ui.uploadResult.textContent = '';
  delete ui.uploadResult.dataset.digestOk;
  updateUploadState();
  const t0 = performance.now();
  try {
    if (state.url) {
      const { body } = await uploadSnapshotUrl({ managerUrl: config.managerUrl, id, url: state.url, signal: controller.signal });
      rows.upload.finish('Done');
      ui.uploadResult.className = 'message pass';
      ui.uploadResult.textContent = `Asked the manager to fetch “${id}” from ${body?.url ?? state.url}.`;
      addConsoleRow(id);
      return;
    }
    const { body } = await uploadSnapshot({
      managerUrl: config.managerUrl,
      id,
      file: state.file,
      sha256: state.sha256,
      signal: controller.signal,
      onProgress: (loaded, total) => rows.upload.update({ done: loaded, total, bps: loaded / ((performance.now() - t0) / 1000) }),
    });
    rows.upload.finish('Done');
    const checked = body?.digest_ok === true;
    ui.uploadResult.dataset.digestOk = String(body?.digest_ok);
    ui.uploadResult.className = 'message pass';
    ui.uploadResult.textContent = `Uploaded “${id}”.${checked ? ' The manager checked the SHA-256 digest: it matches.' : ''}`;
    addConsoleRow(id);
  } catch (err) {
    rows.upload.finish(err.name === 'AbortError' ? 'Cancelled' : 'Failed', 'failed');
    ui.uploadResult.className = 'message fail';
    ui.uploadResult.textContent = err.message;
  } finally {
    state.upload = null;
    updateUploadState();
    announcer.say(ui.uploadResult.textContent);
    ui.uploadResult.focus();
  }
});

function addConsoleRow(id) {
  const tbody = $('snapshot-rows');
  if (tbody.querySelector('.muted')) tbody.replaceChildren();
  tbody.append(h('tr', {}, h('td', {}, id), h('td', {}, new Date().toLocaleString('en-GB')), h('td', {}, 'uploaded')));
}

// ---------- dialog ----------

function closeDialog() {
  if ((state.running.hash || state.running.verify || state.upload) && !window.confirm('Stop the running checks and close?')) return;
  state.upload?.abort();
  resetChecks();
  state.file = null;
  state.url = null;
  ui.urlInput.value = '';
  ui.fileInput.value = '';
  ui.fileSummary.hidden = true;
  ui.integrity.hidden = true;
  ui.sizeWarning.hidden = true;
  ui.dialog.close();
  $('open-dialog').focus();
}

ui.dialog.addEventListener('cancel', (e) => {
  // Esc: confirm first when work is running.
  e.preventDefault();
  closeDialog();
});
$('close-dialog').addEventListener('click', closeDialog);
$('cancel-dialog').addEventListener('click', closeDialog);
$('open-dialog').addEventListener('click', () => {
  ui.dialog.showModal();
  ui.chooseFile.focus();
});

// ---------- start ----------

ui.targetVersion.value = config.targetVersion ?? '';
ui.edition.value = config.edition ?? 'premium';
ui.runtime.value = config.runtime ?? 'single-host';
ui.dialog.showModal();
ui.chooseFile.focus();
updateUploadState();

state.ready = (async () => {
  try {
    state.checker = await SnapshotChecker.create();
    if (state.checker.testHooks) exposeTestHooks();
    state.codes = new Map((await state.checker.codes()).map((c) => [c.code, c]));
    ui.loading.hidden = true;
    document.body.dataset.ready = 'true';
  } catch (err) {
    ui.loading.className = 'message fail';
    ui.loading.textContent = `The snapshot verifier could not start: ${err.message}. Files cannot be checked in this browser.`;
  }
})();
