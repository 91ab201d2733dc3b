// The snapshot worker: runs snapshot-wasm in a dedicated module worker, where FileReaderSync
// exists. One worker runs one job at a time per message, in bounded steps, yielding to the
// event loop between steps so that a cancel message is seen within one step.
//
// Protocol (structured-clone messages; `id` is chosen by the caller):
//   → {type: 'init', module}                          ← {type: 'ready'}
//   → {type: 'inspect', id, file, options}            ← {type: 'result', id, json, ms, memory}
//   → {type: 'hash', id, file}                        ← progress…, {type: 'result', id, hex, ms, memory}
//   → {type: 'verify', id, file, options, sha256?}    ← progress…, {type: 'result', id, json, ms, memory}
//   → {type: 'pool-open', id, key, file, options, planner}
//                                                     ← {type: 'result', id, source, plan?, memory}
//   → {type: 'pool-run', id, key, batch}              ← progress…, {type: 'result', id, outcomes, memory}
//   → {type: 'pool-absorb', id, key, outcomes}        ← {type: 'result', id}
//   → {type: 'pool-report', id, key, sha256?}         ← {type: 'result', id, json, memory}
//   → {type: 'pool-close', id, key}                   ← {type: 'result', id}
//   → {type: 'codes', id}                             ← {type: 'result', id, json}
//   → {type: 'debug-panic', id}                       ← {type: 'error', id, code: 'panic', …}
//                                                       (code 'failed' without the testing feature)
//   → {type: 'cancel', id}                            ← {type: 'cancelled', id}
//   progress: {type: 'progress', id, op, done, total, bps, memory}
//   errors:   {type: 'error', id, op, code: 'panic' | 'failed' | 'bad-request' | 'cors' | 'no-range'
//              | 'changed' | 'http', message}
// `memory` is the wasm linear memory size in bytes; `bps` is bytes per second so far.
// `file` is a Blob, an http(s) URL string (probed here with one ranged fetch, then read with
// synchronous ranged XHRs by the wasm), or the `{url, size, etag}` a probe returned (`source`).
// The pool-* requests run one full verification on several workers (see snapshot-client.js):
// the planner (`planner: true`) returns the batches, runs some itself, absorbs the others'
// outcomes and builds the report.

import * as glue from '../pkg/snapshot_wasm.js';

/** Progress is posted at most this often. */
const PROGRESS_INTERVAL_MS = 100;
/** Each step aims at this duration, so cancel is seen quickly and progress stays smooth. */
const STEP_TARGET_MS = 50;
const MIN_BUDGET = 1 << 20;
const MAX_BUDGET = 64 << 20;

let module = null;
/** Jobs in flight by id: {cancelled: boolean}. */
const jobs = new Map();

/** The live wasm exports (re-read after a reset, which replaces the instance). */
const exports = () => glue.initSync({ module });
const memoryBytes = () => exports().memory.buffer.byteLength;

// A macrotask yield through a MessageChannel: unlike setTimeout it is not clamped to 4 ms,
// and unlike a microtask it lets queued messages (cancel) run first.
const channel = new MessageChannel();
const wakeups = [];
channel.port1.onmessage = () => wakeups.shift()?.();
const yieldToEventLoop = () => new Promise((resolve) => {
  wakeups.push(resolve);
  channel.port2.postMessage(null);
});

/** A wasm trap (panic, out of memory) leaves the instance unusable: make a fresh one. */
function isTrap(err) {
  return err instanceof WebAssembly.RuntimeError;
}

function recover() {
  glue.__wbg_reset_state();
  // Every job ran on the dead instance; their objects are stale now.
  for (const job of jobs.values()) job.dead = true;
  pools.clear();
}

function post(msg) {
  self.postMessage(msg);
}

/** Error codes the URL reader tags its messages with (snapshot-wasm/src/http.rs). */
const TAGGED = /\[(cors|no-range|changed|http)\] ?/;

function fail(id, op, err) {
  if (isTrap(err)) {
    recover();
    post({ type: 'error', id, op, code: 'panic', message: `internal error (${err.message}); the check was stopped and can be retried` });
    return;
  }
  const message = err?.message ?? String(err);
  const tag = err?.code && err.code !== 'failed' ? [null, err.code] : TAGGED.exec(message);
  post({ type: 'error', id, op, code: tag ? tag[1] : 'failed', message: message.replace(TAGGED, '') });
}

/** An error with a SnapshotError code. */
function coded(code, message) {
  return Object.assign(new Error(message), { code });
}

/** The object size in `Content-Range: bytes a-b/size` (or `bytes *\/size`). */
function rangeTotal(header) {
  const m = /\/\s*(\d+)\s*$/.exec(header ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Probes an http(s) URL with one ranged fetch (`Range: bytes=0-0`): its size and ETag. A server
 * that answers 200 (the whole object) is refused without reading the body; a fetch that fails
 * (CORS, network) is 'cors'. Later reads are synchronous XHRs in the wasm, which compare the size
 * and ETag of every response with these.
 */
async function probeUrl(url) {
  const controller = new AbortController();
  let res;
  try {
    res = await fetch(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store', signal: controller.signal });
  } catch {
    throw coded('cors', `could not read ${url}: the server did not allow this page to read it (CORS), or it could not be reached`);
  }
  const stop = () => controller.abort();
  if (res.type === 'opaque' || res.type === 'opaqueredirect') throw coded('cors', `could not read ${url}: the response is opaque (CORS)`);
  if (res.status === 200) {
    stop(); // never download the whole object
    throw coded('no-range', `${url} does not answer range requests (HTTP 200 instead of 206), so it cannot be checked without downloading it whole`);
  }
  if (res.status !== 206 && res.status !== 416) {
    stop();
    throw coded('http', `could not read ${url}: HTTP ${res.status}`);
  }
  const size = rangeTotal(res.headers.get('Content-Range'));
  stop();
  if (size === undefined) {
    throw coded('cors', `could not read the size of ${url}: the server must send Content-Range and expose it to this page (Access-Control-Expose-Headers: Content-Range, ETag)`);
  }
  return { url: res.url || url, size, etag: res.headers.get('ETag') ?? undefined };
}

/** A Blob stays a Blob; a URL string is probed; a probe's `{url, size, etag}` is reused. */
async function resolveSource(file) {
  if (typeof file === 'string') return probeUrl(file);
  return file;
}

/** Whether `file` is a Blob (read with the original exports) or a URL source. */
const isBlob = (file) => typeof Blob !== 'undefined' && file instanceof Blob;

/** Pooled verifications in this worker by key: {job: PoolJob, dead}. */
const pools = new Map();

/**
 * Drives `job.step(budget)` until it returns true, adapting the byte budget so that each step
 * takes about STEP_TARGET_MS. Returns false when cancelled.
 */
async function drive(id, op, job, state) {
  const started = performance.now();
  let budget = 8 << 20;
  let lastPost = 0;
  for (;;) {
    const t0 = performance.now();
    const before = job.done();
    const finished = job.step(budget);
    const dt = performance.now() - t0;
    const moved = job.done() - before;
    if (moved > 0 && dt > 0) {
      const rate = moved / dt; // bytes per ms in this step
      budget = Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, Math.round(rate * STEP_TARGET_MS)));
    }
    const now = performance.now();
    if (finished || now - lastPost >= PROGRESS_INTERVAL_MS) {
      lastPost = now;
      const elapsed = (now - started) / 1000;
      post({ type: 'progress', id, op, done: job.done(), total: job.total(), bps: elapsed > 0 ? job.done() / elapsed : 0, memory: memoryBytes() });
    }
    if (finished) return true;
    await yieldToEventLoop();
    if (state.cancelled || state.dead) return false;
  }
}

/**
 * Runs `body` and frees the wasm object `job` afterwards, unless the instance trapped (then the
 * object belongs to a dead instance and must not be touched).
 */
async function owning(job, state, body) {
  let trapped = false;
  try {
    return await body();
  } catch (err) {
    trapped = isTrap(err);
    throw err;
  } finally {
    if (!trapped && !state.dead) job.free();
  }
}

/** Runs a pool batch: each job in steps of about STEP_TARGET_MS, with progress. */
async function runBatch(msg, pool, state) {
  let budget = 8 << 20;
  let lastPost = 0;
  for (const position of msg.batch) {
    pool.start(position);
    for (;;) {
      const t0 = performance.now();
      const before = pool.done();
      const finished = pool.step(budget);
      const dt = performance.now() - t0;
      const moved = pool.done() - before;
      if (moved > 0 && dt > 0) budget = Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, Math.round((moved / dt) * STEP_TARGET_MS)));
      const now = performance.now();
      if (now - lastPost >= PROGRESS_INTERVAL_MS) {
        lastPost = now;
        post({ type: 'progress', id: msg.id, op: 'verify', done: pool.done(), total: 0, bps: 0, memory: memoryBytes() });
      }
      if (finished) break;
      await yieldToEventLoop();
      if (state.cancelled || state.dead) return false;
    }
  }
  return true;
}

function poolEntry(msg) {
  const entry = pools.get(msg.key);
  if (!entry) throw new Error(`no pooled verification ${msg.key} in this worker`);
  return entry;
}
const poolOf = (msg) => poolEntry(msg).job;

const handlers = {
  async inspect(msg) {
    const t0 = performance.now();
    const options = JSON.stringify(msg.options ?? {});
    const json = isBlob(msg.file) ? glue.inspect(msg.file, options) : glue.inspect_source(await resolveSource(msg.file), options);
    return { json, ms: performance.now() - t0, memory: memoryBytes() };
  },

  async 'pool-open'(msg) {
    const source = await resolveSource(msg.file);
    const job = new glue.PoolJob(source, JSON.stringify(msg.options ?? {}), Boolean(msg.planner));
    pools.set(msg.key, { job, planner: Boolean(msg.planner) });
    const plan = msg.planner ? JSON.parse(job.plan_json()) : undefined;
    return { source: isBlob(source) ? undefined : source, plan, memory: memoryBytes() };
  },

  async 'pool-run'(msg, state) {
    const { job: pool, planner } = poolEntry(msg);
    if (!(await runBatch(msg, pool, state))) return null;
    let outcomes;
    if (planner) pool.absorb_own();
    else outcomes = pool.take_outcomes();
    return { outcomes, done: pool.done(), memory: memoryBytes() };
  },

  'pool-absorb'(msg) {
    poolOf(msg).absorb(msg.outcomes);
    return {};
  },

  'pool-report'(msg) {
    const pool = poolOf(msg);
    if (msg.sha256) pool.set_sha256(msg.sha256);
    const json = pool.report_json();
    const memory = memoryBytes();
    pools.delete(msg.key);
    pool.free();
    return { json, memory };
  },

  'pool-close'(msg) {
    const entry = pools.get(msg.key);
    pools.delete(msg.key);
    entry?.job.free();
    return {};
  },

  async hash(msg, state) {
    const t0 = performance.now();
    const job = isBlob(msg.file) ? new glue.Sha256Job(msg.file) : glue.Sha256Job.fromSource(await resolveSource(msg.file));
    return owning(job, state, async () => {
      if (!(await drive(msg.id, 'hash', job, state))) return null;
      return { hex: job.hex(), bytes: job.total(), ms: performance.now() - t0, memory: memoryBytes() };
    });
  },

  async verify(msg, state) {
    const t0 = performance.now();
    const options = JSON.stringify(msg.options ?? {});
    const job = isBlob(msg.file) ? new glue.VerifyJob(msg.file, options) : glue.VerifyJob.fromSource(await resolveSource(msg.file), options);
    return owning(job, state, async () => {
      if (!(await drive(msg.id, 'verify', job, state))) return null;
      if (msg.sha256) job.set_sha256(msg.sha256);
      return { json: job.report_json(), bytes: job.total(), ms: performance.now() - t0, memory: memoryBytes() };
    });
  },

  codes() {
    return { json: glue.codes_json() };
  },

  'debug-panic'(msg) {
    // A test hook: only a module built with the `testing` feature has it. Read dynamically, so
    // that bundlers (webpack 5) do not fail on a static import the release glue lacks.
    const debugPanic = Reflect.get(glue, 'debug_panic');
    if (typeof debugPanic !== 'function') throw new Error('debug-panic needs a module built with the testing feature (scripts/build-wasm.sh --testing)');
    debugPanic(msg.message ?? 'requested by the caller');
  },
};

self.onmessage = async ({ data: msg }) => {
  if (msg.type === 'init') {
    try {
      module = msg.module;
      glue.initSync({ module });
      post({ type: 'ready' });
    } catch (err) {
      post({ type: 'error', code: 'init', message: err?.message ?? String(err) });
    }
    return;
  }
  if (msg.type === 'cancel') {
    const state = jobs.get(msg.id);
    if (state) state.cancelled = true;
    else post({ type: 'cancelled', id: msg.id });
    return;
  }
  const handler = handlers[msg.type];
  if (!handler || module === null) {
    post({ type: 'error', id: msg.id, op: msg.type, code: 'bad-request', message: module ? `unknown request ${msg.type}` : 'the worker was not initialised' });
    return;
  }
  const state = { cancelled: false, dead: false };
  jobs.set(msg.id, state);
  try {
    const result = await handler(msg, state);
    if (state.cancelled) post({ type: 'cancelled', id: msg.id });
    else if (state.dead) post({ type: 'error', id: msg.id, op: msg.type, code: 'panic', message: 'internal error in another check; this one was stopped and can be retried' });
    else post({ type: 'result', id: msg.id, op: msg.type, ...result });
  } catch (err) {
    fail(msg.id, msg.type, err);
  } finally {
    jobs.delete(msg.id);
  }
};
