// Test and benchmark harness: runs snapshot-wasm's BlobProbe, inspect and hashing in a dedicated
// worker (where FileReaderSync exists) on Blobs made here or Files set on #files.

// `?wasm=plain` loads the build without wasm SIMD (the benchmark compares the two).
const wasmFile = new URLSearchParams(location.search).get('wasm') === 'plain' ? 'snapshot_wasm_plain_bg.wasm' : 'snapshot_wasm_bg.wasm';
const module = await WebAssembly.compileStreaming(fetch(new URL(`../../pkg/${wasmFile}`, import.meta.url)));

let nextId = 1;
const pending = new Map();

function startWorker() {
  const worker = new Worker(new URL('./probe-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    if (!p) return;
    pending.delete(data.id);
    if (data.error) p.reject(Object.assign(new Error(data.error), { trap: data.trap }));
    else p.resolve(data.result);
  };
  worker.postMessage({ type: 'init', module });
  return worker;
}

let worker = startWorker();

/** Sends one request to the probe worker. */
function call(op, args) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, op, ...args });
  });
}

/** Deterministic content of the 64 MiB base blob: byte i. */
const pattern = (i) => ((i * 2654435761) >>> 24) & 0xff;
const BASE = 64 << 20;
const MARK = 4096;
const mark = (k, j) => (k * 31 + j * 7 + 1) & 0xff;

/** SnapshotCheckers by pool size. */
const checkers = {};

/** Blobs by handle, so tests can refer to them across page.evaluate calls. */
const blobs = new Map();

window.probe = {
  module,

  /**
   * A Blob of `copies` × (64 MiB base + a 4 KiB marker unique to the copy), composed from one
   * in-memory base Blob: Chromium references it instead of copying, so 5 GiB costs 64 MiB.
   */
  composed(copies) {
    const base = new Uint8Array(BASE);
    for (let i = 0; i < BASE; i++) base[i] = pattern(i);
    const baseBlob = new Blob([base]);
    const parts = [];
    for (let k = 0; k < copies; k++) {
      const m = new Uint8Array(MARK);
      for (let j = 0; j < MARK; j++) m[j] = mark(k, j);
      parts.push(baseBlob, new Blob([m]));
    }
    const blob = new Blob(parts);
    blobs.set('composed', blob);
    return blob.size;
  },

  /** The expected byte at `offset` of the composed Blob. */
  expected(offset, len) {
    const out = [];
    for (let o = offset; o < offset + len; o++) {
      const k = Math.floor(o / (BASE + MARK));
      const r = o - k * (BASE + MARK);
      out.push(r < BASE ? pattern(r) : mark(k, r - BASE));
    }
    return out;
  },

  /** Files chosen on #files, registered by name. */
  registerFiles() {
    for (const f of document.getElementById('files').files) blobs.set(f.name, f);
    return [...document.getElementById('files').files].map((f) => ({ name: f.name, size: f.size }));
  },

  /** Runs `op` of the probe worker on blob `name`. */
  run(op, name, args = {}) {
    const blob = blobs.get(name);
    if (!blob) throw new Error(`no blob ${name}`);
    return call(op, { blob, ...args });
  },

  /**
   * Full verification through the client (`SnapshotChecker`) with a pool of `workers`; the
   * checker of each pool size is made once. `name` is a registered blob or an http(s) URL.
   */
  async checked(op, name, { workers = 1, options = {}, signal } = {}) {
    const { SnapshotChecker } = await import('../../lib/snapshot-client.js');
    checkers[workers] ??= SnapshotChecker.create({ module, workers });
    const checker = await checkers[workers];
    const source = blobs.get(name) ?? name;
    const progress = [];
    try {
      const job = { onProgress: (p) => progress.push(p), signal };
      const r = op === 'sha256' ? await checker.sha256(source, job) : await checker[op](source, options, job);
      const { report, ...rest } = r;
      return { ...rest, progress: progress.length, lastProgress: progress.at(-1) };
    } catch (err) {
      return { error: err.message, code: err.code, name: err.name };
    }
  },

  /** Restarts the worker (after a trap test, or to measure a fresh instance). */
  restart() {
    worker.terminate();
    worker = startWorker();
  },
};

document.body.dataset.ready = 'true';
