// Types of snapshot-client.js, the main-thread API over the snapshot workers.

import type { CodeInfo, Edition, Report, Runtime } from './report.js';

export type { CodeInfo, Report } from './report.js';

/** What the report is computed for; every field is optional. */
export interface CheckOptions {
  /** Manager version to predict restore on, e.g. '7.0.4'; null or '' for none. */
  target_version?: string | null;
  edition?: Edition;
  /** Where the target runs; 'kubernetes' matters for 7.0.1+ (legacy snapshots are refused). */
  runtime?: Runtime;
  /** The name the report shows; use `file.name`. */
  file_name?: string;
}

/** Progress of a long job, posted about 10 times a second. */
export interface Progress {
  op: 'hash' | 'verify';
  /** Bytes done (SHA-256: of the file; verify: of the compressed data to check). */
  done: number;
  total: number;
  /** Bytes per second so far. */
  bps: number;
  /** The worker's wasm linear memory, in bytes. */
  memory: number;
}

export interface JobOptions {
  onProgress?: (progress: Progress) => void;
  /** Aborting stops the job within about half a second (soft cancel, then worker.terminate()). */
  signal?: AbortSignal;
}

/**
 * What a check reads: a `Blob` (a `File`), or an `http(s)` URL (a `URL`, or a string, relative
 * to the page's address). A URL is read inside the worker with ranged requests
 * (`Range: bytes=a-b`, answered `206`): the first gives the size and the `ETag`, every later one
 * must be for the same object. The server must allow the page's origin (CORS) and expose
 * `Content-Range` and `ETag` (`Access-Control-Expose-Headers`).
 */
export type SnapshotSource = Blob | URL | string;

/** `SnapshotError.code` values. */
export type SnapshotErrorCode =
  | 'panic'
  | 'failed'
  | 'restarted'
  | 'bad-request'
  | 'init'
  | 'cors'
  | 'no-range'
  | 'changed'
  | 'http';

/** Thrown when a job fails; an AbortSignal abort rejects with a DOMException named 'AbortError'. */
export class SnapshotError extends Error {
  /**
   * 'panic' (an internal error; the worker recovered), 'failed' (e.g. the file changed),
   * 'restarted' (stopped because cancelling another check restarted the worker), 'bad-request'
   * (e.g. not a Blob nor an http(s) URL), 'init'.
   * For URLs: 'cors' (the request failed: the server does not allow this page to read it (CORS),
   * or does not expose `Content-Range`, or it could not be reached), 'no-range' (the server
   * answered a range request with the whole object, `200` instead of `206`: checking it would
   * mean downloading it whole, so nothing more is read), 'changed' (the object changed while it
   * was read: another size or `ETag`), 'http' (another HTTP status, e.g. 404).
   */
  code: SnapshotErrorCode | (string & {});
}

export class SnapshotChecker {
  /** The compiled module, shared by every worker. */
  readonly module: WebAssembly.Module;

  /**
   * The pool size of the full verification: `config.workers`, by default
   * `navigator.hardwareConcurrency` (at most 16). The SHA-256 worker counts while it hashes.
   */
  readonly workers: number;

  /**
   * Compiles the wasm once and starts two dedicated module workers (inspect + verify, SHA-256);
   * the full verification starts up to `workers - 1` more on its first run.
   * `wasmUrl` defaults to the wasm SIMD build `../pkg/snapshot_wasm_bg.wasm` next to this module,
   * or `../pkg/snapshot_wasm_plain_bg.wasm` where `WebAssembly.validate` refuses SIMD (when
   * both are built); `module` skips the compile (an already compiled module);
   * `createWorker` defaults to `new Worker(new URL('./snapshot-worker.js', import.meta.url), {type: 'module'})`.
   */
  static create(config?: {
    wasmUrl?: string | URL;
    module?: WebAssembly.Module;
    createWorker?: () => Worker;
    /** Pool size for the full verification (1 = one worker, no pool). */
    workers?: number;
  }): Promise<SnapshotChecker>;

  /** The quick report (end records, central directory, local headers, small members): well under a second. */
  inspect(source: SnapshotSource, options?: CheckOptions, job?: { signal?: AbortSignal }): Promise<{ report: Report; json: string; ms: number; memory: number }>;

  /** SHA-256 of the whole file, lowercase hex. */
  sha256(source: SnapshotSource, job?: JobOptions): Promise<{ hex: string; bytes: number; ms: number; memory: number }>;

  /**
   * The full report: every entry decompressed and checked, on the pool of workers; the same
   * bytes whatever the pool size. `sha256` is recorded in the report when given.
   * `memory` is the largest wasm memory of the workers that took part.
   */
  verify(source: SnapshotSource, options?: CheckOptions, job?: JobOptions & { sha256?: string }): Promise<{ report: Report; json: string; bytes: number; ms: number; memory: number }>;

  /** The finding catalogue, for plain-language explanations. */
  codes(): Promise<CodeInfo[]>;

  /**
   * Whether the module was built with the `testing` feature (`scripts/build-wasm.sh --testing`):
   * only then does `debugPanic` work, and the demo page expose its measurements.
   */
  readonly testHooks: boolean;

  /**
   * Makes the main worker panic inside wasm (tests that the worker survives). Needs a module
   * built with the `testing` feature; otherwise it rejects with code 'failed'.
   */
  debugPanic(message?: string): Promise<never>;

  /** Terminates every worker; they restart on the next call. */
  dispose(): void;
}

/** Whether this engine runs wasm SIMD (`WebAssembly.validate` of a tiny SIMD module). */
export function simdSupported(): boolean;

/** A hex digest as base64, for `Content-Digest: sha-256=:<base64>:` (RFC 9530). */
export function hexToBase64(hex: string): string;
