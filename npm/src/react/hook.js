// useSnapshotCheck: the quick report, the SHA-256 and the full report of a File (or of an http(s)
// URL, when the client supports ranged reads), with progress; every job is cancelled through an
// AbortSignal when the source or the options change, when the component unmounts, or on cancel().

import { useCallback, useEffect, useRef, useState } from 'react';
import { SnapshotChecker } from '../lib/snapshot-client.js';

let shared = null;

/**
 * One checker per page: compiles the wasm and starts the workers on first use; later calls get
 * the same promise (a stable value for the hook's `checker` option), whatever their `config`.
 */
export function sharedChecker(config) {
  if (!shared) shared = SnapshotChecker.create(config);
  return shared;
}

const IDLE = Object.freeze({
  status: 'idle',
  remote: false,
  quick: null,
  full: null,
  sha256: null,
  hashProgress: null,
  verifyProgress: null,
  error: null,
});

function isRemote(source) {
  return typeof source === 'string' || (typeof URL !== 'undefined' && source instanceof URL);
}

function isAbort(err) {
  return err?.name === 'AbortError';
}

function nameOf(source, remote) {
  if (!remote) return source.name;
  try {
    return decodeURIComponent(new URL(String(source)).pathname.split('/').pop() || '') || undefined;
  } catch {
    return undefined;
  }
}

/** Runs the checks of one source; `update` merges into the state while the run is current. */
async function run({ source, remote, options, checker, signal, update }) {
  const { targetVersion, edition, runtime, fileName, full = true, hash = true } = options;
  const name = fileName ?? nameOf(source, remote);
  const checkOptions = { target_version: targetVersion || null };
  if (edition) checkOptions.edition = edition;
  if (runtime) checkOptions.runtime = runtime;
  if (name) checkOptions.file_name = name;
  const input = remote ? String(source) : source;
  const c = await (checker ?? sharedChecker());
  const { report } = await c.inspect(input, checkOptions, { signal });
  if (remote && report.file?.size === 0) {
    // A client without URL support reads a string as an empty source; a client with it reads the
    // size from the server (an empty object cannot answer a range request). Say so instead of
    // reporting an empty file.
    throw Object.assign(new Error('this version of the checker cannot read URLs'), { name: 'SnapshotError', code: 'bad-request' });
  }
  const hashing = hash && !remote;
  update({ quick: report, status: full || hashing ? 'checking' : 'done' });
  const jobs = [];
  if (hashing) {
    jobs.push(c.sha256(source, { signal, onProgress: (p) => update({ hashProgress: p }) }).then(({ hex }) => update({ sha256: hex })));
  }
  if (full) {
    jobs.push(
      c.verify(input, checkOptions, { signal, onProgress: (p) => update({ verifyProgress: p }) }).then((r) => update({ full: r.report })),
    );
  }
  const failed = (await Promise.allSettled(jobs)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  update({ status: 'done' });
}

/**
 * Checks `source` (a File/Blob, an http(s) URL, or null for nothing). See index.d.ts.
 * Pass a stable `options.checker` (or none: one shared checker per page).
 */
export function useSnapshotCheck(source, options = {}) {
  const [state, setState] = useState(IDLE);
  const [attempt, setAttempt] = useState(0);
  const controllerRef = useRef(null);
  const { targetVersion, edition, runtime, fileName, full, hash, checker } = options;

  useEffect(() => {
    if (!source) {
      setState(IDLE);
      return undefined;
    }
    const controller = new AbortController();
    controllerRef.current = controller;
    const { signal } = controller;
    let current = true;
    const update = (patch) => {
      if (current && !signal.aborted) setState((s) => ({ ...s, ...patch }));
    };
    const remote = isRemote(source);
    setState({ ...IDLE, status: 'inspecting', remote });
    run({ source, remote, options: { targetVersion, edition, runtime, fileName, full, hash }, checker, signal, update }).catch((err) => {
      if (!current) return;
      if (isAbort(err) || signal.aborted) setState((s) => ({ ...s, status: 'cancelled' }));
      else setState((s) => ({ ...s, status: 'error', error: err }));
    });
    return () => {
      current = false;
      controller.abort();
    };
  }, [source, targetVersion, edition, runtime, fileName, full, hash, checker, attempt]);

  const cancel = useCallback(() => {
    controllerRef.current?.abort();
    setState((s) => (s.status === 'inspecting' || s.status === 'checking' ? { ...s, status: 'cancelled' } : s));
  }, []);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  return { ...state, report: state.full ?? state.quick, running: state.status === 'inspecting' || state.status === 'checking', cancel, retry };
}
