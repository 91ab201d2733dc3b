// The snapshot worker: runs snapshot-wasm in a dedicated module worker, where FileReaderSync
// exists. One worker runs one job at a time per message, in bounded steps, yielding to the
// event loop between steps so that a cancel message is seen within one step.
//
// Protocol (structured-clone messages; `id` is chosen by the caller):
//   → {type: 'init', module}                          ← {type: 'ready'}
//   → {type: 'inspect', id, file, options}            ← {type: 'result', id, json, ms, memory}
//   → {type: 'hash', id, file}                        ← progress…, {type: 'result', id, hex, ms, memory}
//   → {type: 'verify', id, file, options, sha256?}    ← progress…, {type: 'result', id, json, ms, memory}
//   → {type: 'codes', id}                             ← {type: 'result', id, json}
//   → {type: 'debug-panic', id}                       ← {type: 'error', id, code: 'panic', …}
//                                                       (code 'failed' without the testing feature)
//   → {type: 'cancel', id}                            ← {type: 'cancelled', id}
//   progress: {type: 'progress', id, op, done, total, bps, memory}
//   errors:   {type: 'error', id, op, code: 'panic' | 'failed' | 'bad-request', message}
// `memory` is the wasm linear memory size in bytes; `bps` is bytes per second so far.

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
}

function post(msg) {
  self.postMessage(msg);
}

function fail(id, op, err) {
  if (isTrap(err)) {
    recover();
    post({ type: 'error', id, op, code: 'panic', message: `internal error (${err.message}); the check was stopped and can be retried` });
  } else {
    post({ type: 'error', id, op, code: 'failed', message: err?.message ?? String(err) });
  }
}

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

const handlers = {
  inspect(msg) {
    const t0 = performance.now();
    const json = glue.inspect(msg.file, JSON.stringify(msg.options ?? {}));
    return { json, ms: performance.now() - t0, memory: memoryBytes() };
  },

  async hash(msg, state) {
    const t0 = performance.now();
    const job = new glue.Sha256Job(msg.file);
    return owning(job, state, async () => {
      if (!(await drive(msg.id, 'hash', job, state))) return null;
      return { hex: job.hex(), bytes: job.total(), ms: performance.now() - t0, memory: memoryBytes() };
    });
  },

  async verify(msg, state) {
    const t0 = performance.now();
    const job = new glue.VerifyJob(msg.file, JSON.stringify(msg.options ?? {}));
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
    // A test hook: only a module built with the `testing` feature has it.
    if (typeof glue.debug_panic !== 'function') throw new Error('debug-panic needs a module built with the testing feature (scripts/build-wasm.sh --testing)');
    glue.debug_panic(msg.message ?? 'requested by the caller');
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
