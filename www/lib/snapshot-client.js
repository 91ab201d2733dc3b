// Main-thread API over the snapshot workers. Framework-free: the demo page and the manager
// UI's React code use it the same way (see www/README.md; types in snapshot-client.d.ts).
//
// The wasm module is compiled once here and the compiled WebAssembly.Module is posted to
// dedicated workers: one for inspect + full verification, one for SHA-256, so the hash runs
// in parallel and is never on the critical path of the verdict. The full verification runs its
// entry checks on a bounded pool of workers (`workers`, by default navigator.hardwareConcurrency;
// the SHA-256 worker counts while it hashes), the way the native CLI runs them on threads. No
// SharedArrayBuffer, so no COOP/COEP headers are needed.

/** How long a cancelled job may take to acknowledge before its worker is terminated. */
const CANCEL_GRACE_MS = 300;

/** The wasm SIMD build, and the build without SIMD (both made by scripts/build-wasm.sh). */
const DEFAULT_WASM_URL = new URL('../pkg/snapshot_wasm_bg.wasm', import.meta.url);
const PLAIN_WASM_URL = new URL('../pkg/snapshot_wasm_plain_bg.wasm', import.meta.url);

/** A tiny module using wasm SIMD (`i8x16.splat`, `i8x16.popcnt`): valid only where SIMD is. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this engine runs wasm SIMD. */
export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** The default module: the SIMD build where SIMD is supported, else the plain one. */
function defaultWasmUrl() {
  return simdSupported() ? DEFAULT_WASM_URL : PLAIN_WASM_URL;
}

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

/**
 * Error thrown for a failed job; `code` is 'panic', 'failed', 'restarted', 'bad-request', 'init',
 * or for URLs 'cors', 'no-range', 'changed', 'http'.
 */
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
  #readyReject = null;
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
      // A restart before 'ready' (dispose, or a cancel that terminates) fails the waiters too.
      this.#readyReject = reject;
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
    this.#ready.catch(() => {}); // handled by whoever awaits it; never an unhandled rejection
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

  /** Posts a message that needs no answer, if the worker is running (no restart for it). */
  notify(msg) {
    this.#worker?.postMessage(msg);
  }

  /**
   * Terminates the worker. Pending requests whose own signal was aborted reject with an
   * AbortError, the others with `reason`. The next request starts a fresh worker.
   */
  restart(reason) {
    this.#worker?.terminate();
    this.#worker = null;
    this.#readyReject?.(reason);
    this.#readyReject = null;
    this.#ready = null;
    for (const [id, job] of [...this.#pending]) {
      this.#settle(id);
      job.reject(job.signal?.aborted ? abortError() : reason);
    }
  }
}

let nextId = 1;

/** The most workers a pool may have, whatever the machine says. */
const MAX_WORKERS = 16;

/** The default pool size: the machine's logical cores. */
function defaultWorkers() {
  const n = globalThis.navigator?.hardwareConcurrency;
  return Number.isInteger(n) && n > 0 ? n : 2;
}

/**
 * What a job reads: a Blob as is, or an absolute http(s) URL string (a URL object or a string
 * relative to the page).
 */
function toSource(source) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source;
  if (typeof source === 'string' || source instanceof URL) {
    let url;
    try {
      url = new URL(String(source), globalThis.location?.href);
    } catch {
      throw new SnapshotError(`not a URL: ${source}`, 'bad-request');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SnapshotError(`only http(s) URLs can be checked, not ${url.protocol}`, 'bad-request');
    return url.href;
  }
  throw new SnapshotError('the source must be a Blob (a File), a URL or an http(s) URL string', 'bad-request');
}

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
  #create;
  /** Pool workers besides #main, started on the first pooled verification. */
  #runners = [];
  /** SHA-256 jobs running, and callbacks waiting for the hash worker to be free. */
  #hashing = 0;
  #hashIdle = new Set();

  constructor(module, createWorker = defaultCreateWorker, workers = defaultWorkers()) {
    this.module = module;
    this.#create = createWorker;
    this.workers = Math.max(1, Math.min(MAX_WORKERS, Math.floor(Number(workers)) || 1));
    this.#main = new WorkerSlot(createWorker, module);
    this.#hash = new WorkerSlot(createWorker, module);
  }

  /**
   * Compiles the wasm module and starts the inspect and SHA-256 workers.
   * @param {{wasmUrl?: string | URL, module?: WebAssembly.Module, createWorker?: () => Worker, workers?: number}} [config]
   */
  static async create({ wasmUrl, module, createWorker, workers } = {}) {
    module ??= await compile(wasmUrl ?? defaultWasmUrl());
    const checker = new SnapshotChecker(module, createWorker, workers ?? defaultWorkers());
    await Promise.all([checker.#main.start(), checker.#hash.start()]);
    return checker;
  }

  /** Quick report (what the CLI's `check --level quick` prints): reads only a few ranges. */
  async inspect(source, options = {}, { signal } = {}) {
    const file = toSource(source);
    const r = await this.#main.request({ type: 'inspect', id: nextId++, file, options }, { signal });
    return { report: JSON.parse(r.json), json: r.json, ms: r.ms, memory: r.memory };
  }

  /** SHA-256 of the whole file, with progress `{done, total, bps, memory}`. */
  async sha256(source, { onProgress, signal } = {}) {
    const file = toSource(source);
    this.#hashing++;
    try {
      const r = await this.#hash.request({ type: 'hash', id: nextId++, file }, { onProgress, signal });
      return { hex: r.hex, bytes: r.bytes, ms: r.ms, memory: r.memory };
    } finally {
      if (--this.#hashing === 0) for (const wake of [...this.#hashIdle]) wake();
    }
  }

  /**
   * Full verification (every entry decompressed and checked), with progress. With more than one
   * worker the entry checks run on the pool; the report is the same bytes either way.
   */
  async verify(source, options = {}, { onProgress, signal, sha256 } = {}) {
    const file = toSource(source);
    if (this.workers > 1) return this.#pooled(file, options, { onProgress, signal, sha256 });
    const r = await this.#main.request({ type: 'verify', id: nextId++, file, options, sha256 }, { onProgress, signal });
    return { report: JSON.parse(r.json), json: r.json, bytes: r.bytes, ms: r.ms, memory: r.memory };
  }

  /**
   * The pooled full verification: #main plans (and runs batches too); up to `workers` workers
   * run batches, one fewer while the SHA-256 worker hashes (it counts in the pool), and one more
   * joins when it stops. Outcomes go back to #main, which builds the report.
   */
  async #pooled(file, options, { onProgress, signal, sha256 }) {
    const t0 = performance.now();
    const key = `pool-${nextId++}`;
    const inner = new AbortController();
    const onOuterAbort = () => inner.abort();
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (signal?.aborted) inner.abort();
    const job = { signal: inner.signal };
    const opened = [this.#main];
    let memory = 0;
    try {
      const open = await this.#main.request({ type: 'pool-open', id: nextId++, key, file, options, planner: true }, job);
      memory = open.memory;
      const { plan } = open;
      const source = open.source ?? file;
      const queue = plan.batches.map((positions, i) => ({ positions, bytes: plan.bytes[i] }));
      const doneBy = new Map();
      let lastPost = 0;
      const report = (force) => {
        const now = performance.now();
        if (!onProgress || (!force && now - lastPost < 100)) return;
        lastPost = now;
        let done = 0;
        for (const d of doneBy.values()) done += d;
        const elapsed = (now - t0) / 1000;
        onProgress({ op: 'verify', done, total: plan.total, bps: elapsed > 0 ? done / elapsed : 0, memory });
      };
      let failure = null;
      const run = async (slot, planner) => {
        try {
          if (!planner) {
            await slot.request({ type: 'pool-open', id: nextId++, key, file: source, options, planner: false }, job);
            opened.push(slot);
          }
          for (let batch = queue.shift(); batch && !failure; batch = queue.shift()) {
            const onBatchProgress = (p) => {
              doneBy.set(slot, p.done);
              memory = Math.max(memory, p.memory);
              report(false);
            };
            const r = await slot.request({ type: 'pool-run', id: nextId++, key, batch: batch.positions }, { ...job, onProgress: onBatchProgress });
            doneBy.set(slot, r.done);
            memory = Math.max(memory, r.memory);
            report(false);
            if (!planner) await this.#main.request({ type: 'pool-absorb', id: nextId++, key, outcomes: r.outcomes }, job);
          }
        } catch (err) {
          failure ??= err;
          inner.abort();
        }
      };
      report(true);
      const wanted = Math.min(this.workers, Math.max(1, queue.length));
      const runs = [run(this.#main, true)];
      let started = 1;
      const startRunner = () => {
        while (started < wanted && queue.length && !failure && started < wanted - (this.#hashing > 0 ? 1 : 0)) {
          this.#runners[started - 1] ??= new WorkerSlot(this.#create, this.module);
          runs.push(run(this.#runners[started - 1], false));
          started++;
        }
      };
      startRunner();
      // A worker joins when the hash ends; wait for the pool, including late joiners.
      this.#hashIdle.add(startRunner);
      try {
        for (let i = 0; i < runs.length; i++) await runs[i];
      } finally {
        this.#hashIdle.delete(startRunner);
      }
      if (failure) throw failure;
      if (signal?.aborted) throw abortError();
      report(true);
      const r = await this.#main.request({ type: 'pool-report', id: nextId++, key, sha256 }, job);
      opened.shift();
      memory = Math.max(memory, r.memory);
      return { report: JSON.parse(r.json), json: r.json, bytes: plan.total, ms: performance.now() - t0, memory };
    } catch (err) {
      throw signal?.aborted ? abortError() : err;
    } finally {
      signal?.removeEventListener('abort', onOuterAbort);
      // Free the pool's state in the workers that still hold it (best effort).
      for (const slot of opened) slot.notify({ type: 'pool-close', id: nextId++, key });
    }
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

  /** Stops every worker. The checker can still be used: workers restart on demand. */
  dispose() {
    this.#main.restart(abortError());
    this.#hash.restart(abortError());
    for (const slot of this.#runners) slot.restart(abortError());
  }
}

/** Converts a lowercase hex digest to base64 (for `Content-Digest: sha-256=:…:`). */
export function hexToBase64(hex) {
  let binary = '';
  for (let i = 0; i < hex.length; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return btoa(binary);
}
