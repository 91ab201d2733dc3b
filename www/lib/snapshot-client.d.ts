// Types of snapshot-client.js, the main-thread API over the snapshot workers.

import type { CodeInfo, Edition, Report, Runtime } from './report';

export type { CodeInfo, Report } from './report';

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

/** Thrown when a job fails; an AbortSignal abort rejects with a DOMException named 'AbortError'. */
export class SnapshotError extends Error {
  /**
   * 'panic' (an internal error; the worker recovered), 'failed' (e.g. the file changed),
   * 'restarted' (stopped because cancelling another check restarted the worker), 'bad-request', 'init'.
   */
  code: string;
}

export class SnapshotChecker {
  /** The compiled module, shared by both workers. */
  readonly module: WebAssembly.Module;

  /**
   * Compiles the wasm once and starts two dedicated module workers (inspect + verify, SHA-256).
   * `wasmUrl` defaults to `../pkg/snapshot_wasm_bg.wasm` next to this module; `createWorker`
   * defaults to `new Worker(new URL('./snapshot-worker.js', import.meta.url), {type: 'module'})`.
   */
  static create(config?: { wasmUrl?: string | URL; createWorker?: () => Worker }): Promise<SnapshotChecker>;

  /** The quick report (end records, central directory, local headers, small members): well under a second. */
  inspect(file: Blob, options?: CheckOptions, job?: { signal?: AbortSignal }): Promise<{ report: Report; json: string; ms: number; memory: number }>;

  /** SHA-256 of the whole file, lowercase hex. */
  sha256(file: Blob, job?: JobOptions): Promise<{ hex: string; bytes: number; ms: number; memory: number }>;

  /** The full report: every entry decompressed and checked. `sha256` is recorded in the report when given. */
  verify(file: Blob, options?: CheckOptions, job?: JobOptions & { sha256?: string }): Promise<{ report: Report; json: string; bytes: number; ms: number; memory: number }>;

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

  /** Terminates both workers; they restart on the next call. */
  dispose(): void;
}

/** A hex digest as base64, for `Content-Digest: sha-256=:<base64>:` (RFC 9530). */
export function hexToBase64(hex: string): string;
