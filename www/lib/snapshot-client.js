// Main-thread API over the snapshot workers. Framework-free: the demo page and the manager
// UI's React code use it the same way (see www/README.md; types in snapshot-client.d.ts).
//
// The wasm module is compiled once here and the compiled WebAssembly.Module is posted to two
// dedicated workers: one for inspect + full verification, one for SHA-256, so the hash runs
// in parallel and is never on the critical path of the verdict. No SharedArrayBuffer, so no
// COOP/COEP headers are needed.

/** How long a cancelled job may take to acknowledge before its worker is terminated. */
const CANCEL_GRACE_MS = 300;

const DEFAULT_WASM_URL = new URL('../pkg/snapshot_wasm_bg.wasm', import.meta.url);

/** The default worker factory. Written literally so bundlers (webpack 5, Vite) see the worker. */
const defaultCreateWorker = () => new Worker(new URL('./snapshot-worker.js', import.meta.url), { type: 'module' });

/** Compiles the wasm, streaming when the server sends `application/wasm`. */
async function compile(url) {
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(fetch(url));
    } catch {
      // Wrong MIME type or no streaming support: fall back to a plain compile.
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

function abortError() {
  return new DOMException('The check was cancelled.', 'AbortError');
}

/** Error thrown for a failed job; `code` is 'panic', 'failed', 'restarted', 'bad-request' or 'init'. */
export class SnapshotError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'SnapshotError';
    this.code = code;
  }
}

/** One dedicated worker with its pending requests; replaced wholesale after terminate(). */
class WorkerSlot {
  #create;
  #module;
  #worker = null;
  #ready = null;
  #pending = new Map();

  constructor(create, module) {
    this.#create = create;
    this.#module = module;
  }

  /** Starts the worker (if needed) and resolves once it has instantiated the module. */
  start() {
    if (this.#ready) return this.#ready;
    const worker = this.#create();
    this.#worker = worker;
    this.#ready = new Promise((resolve, reject) => {
      const onReady = ({ data }) => {
        if (data.type === 'ready') resolve();
        else if (data.type === 'error' && data.code === 'init') reject(new SnapshotError(data.message, 'init'));
        else return;
        worker.removeEventListener('message', onReady);
      };
      worker.addEventListener('message', onReady);
    });
    worker.addEventListener('message', ({ data }) => this.#onMessage(data));
    worker.addEventListener('error', (event) => {
      // An uncaught error in the worker script: fail everything and start afresh next time.
      event.preventDefault?.();
      this.restart(new SnapshotError(event.message || 'the snapshot worker failed', 'failed'));
    });
    worker.postMessage({ type: 'init', module: this.#module });
    return this.#ready;
  }

  #onMessage(data) {
    const job = this.#pending.get(data.id);
    if (!job) return;
    switch (data.type) {
      case 'progress':
        job.onProgress?.(data);
        return;
      case 'result':
        this.#settle(data.id);
        job.resolve(data);
        return;
      case 'cancelled':
        this.#settle(data.id);
        job.reject(abortError());
        return;
      case 'error':
        this.#settle(data.id);
        job.reject(new SnapshotError(data.message, data.code));
        return;
    }
  }

  #settle(id) {
    const job = this.#pending.get(id);
    if (!job) return;
    clearTimeout(job.killTimer);
    job.signal?.removeEventListener('abort', job.onAbort);
    this.#pending.delete(id);
  }

  /** Sends a request; resolves with the worker's result message. */
  async request(msg, { onProgress, signal } = {}) {
    if (signal?.aborted) throw abortError();
    await this.start();
    if (signal?.aborted) throw abortError();
    return new Promise((resolve, reject) => {
      const job = { resolve, reject, onProgress, signal, killTimer: 0, onAbort: null };
      job.onAbort = () => {
        // Soft cancel: the worker stops at its next step boundary and acknowledges.
        this.#worker.postMessage({ type: 'cancel', id: msg.id });
        // Hard cancel: a step that runs long (or a hung worker) is terminated.
        job.killTimer = setTimeout(() => this.restart(new SnapshotError('the check was stopped: its worker was restarted to cancel another check', 'restarted')), CANCEL_GRACE_MS);
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#pending.set(msg.id, job);
      this.#worker.postMessage(msg);
    });
  }

  /**
   * Terminates the worker. Pending requests whose own signal was aborted reject with an
   * AbortError, the others with `reason`. The next request starts a fresh worker.
   */
  restart(reason) {
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = null;
    for (const [id, job] of [...this.#pending]) {
      this.#settle(id);
      job.reject(job.signal?.aborted ? abortError() : reason);
    }
  }
}

let nextId = 1;

/**
 * Checks Cloudify snapshot archives in the browser.
 *
 * ```js
 * const checker = await SnapshotChecker.create();
 * const { report } = await checker.inspect(file, { target_version: '7.0.4' });
 * ```
 */
export class SnapshotChecker {
  #main;
  #hash;

  constructor(module, createWorker = defaultCreateWorker) {
    this.module = module;
    this.#main = new WorkerSlot(createWorker, module);
    this.#hash = new WorkerSlot(createWorker, module);
  }

  /**
   * Compiles the wasm module and starts both workers.
   * @param {{wasmUrl?: string | URL, createWorker?: () => Worker}} [config]
   */
  static async create({ wasmUrl = DEFAULT_WASM_URL, createWorker } = {}) {
    const checker = new SnapshotChecker(await compile(wasmUrl), createWorker);
    await Promise.all([checker.#main.start(), checker.#hash.start()]);
    return checker;
  }

  /** Quick report (what the CLI's `check --level quick` prints): reads only a few ranges. */
  async inspect(file, options = {}, { signal } = {}) {
    const r = await this.#main.request({ type: 'inspect', id: nextId++, file, options }, { signal });
    return { report: JSON.parse(r.json), json: r.json, ms: r.ms, memory: r.memory };
  }

  /** SHA-256 of the whole file, with progress `{done, total, bps, memory}`. */
  async sha256(file, { onProgress, signal } = {}) {
    const r = await this.#hash.request({ type: 'hash', id: nextId++, file }, { onProgress, signal });
    return { hex: r.hex, bytes: r.bytes, ms: r.ms, memory: r.memory };
  }

  /** Full verification (every entry decompressed and checked), with progress. */
  async verify(file, options = {}, { onProgress, signal, sha256 } = {}) {
    const r = await this.#main.request({ type: 'verify', id: nextId++, file, options, sha256 }, { onProgress, signal });
    return { report: JSON.parse(r.json), json: r.json, bytes: r.bytes, ms: r.ms, memory: r.memory };
  }

  /** The finding catalogue: `[{code, severity, rule, description}]`. */
  async codes() {
    const r = await this.#main.request({ type: 'codes', id: nextId++ });
    return JSON.parse(r.json);
  }

  /**
   * Whether the module was built with the `testing` feature (`scripts/build-wasm.sh --testing`),
   * which adds the test hooks: `debug_panic`, `BlobProbe`. A release build has neither.
   */
  get testHooks() {
    return WebAssembly.Module.exports(this.module).some((e) => e.name === 'debug_panic');
  }

  /**
   * Makes the main worker panic inside wasm (tests: the worker must survive). Needs a module
   * built with the `testing` feature; otherwise it rejects with code 'failed'.
   */
  async debugPanic(message = 'test') {
    return this.#main.request({ type: 'debug-panic', id: nextId++, message });
  }

  /** Stops both workers. The checker can still be used: workers restart on demand. */
  dispose() {
    this.#main.restart(abortError());
    this.#hash.restart(abortError());
  }
}

/** Converts a lowercase hex digest to base64 (for `Content-Digest: sha-256=:…:`). */
export function hexToBase64(hex) {
  let binary = '';
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary);
}
