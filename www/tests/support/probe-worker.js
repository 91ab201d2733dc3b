// The probe worker: thin wrappers over snapshot-wasm exports and hash-wasm, each returning
// plain data plus the reader's counters and the wasm memory size.

import * as glue from '../../pkg/snapshot_wasm.js';

let wasm = null;
let hashWasm = null;

const memory = () => wasm.memory.buffer.byteLength;

const ops = {
  /**
   * Single read_at calls: [[offset, len, keep?], …] → for each, the length returned (short reads
   * allowed) and its bytes from `keep` = [start, end) (default the first 256).
   */
  reads({ blob, reads }) {
    const probe = new glue.BlobProbe(blob);
    try {
      const results = reads.map(([offset, len, keep = [0, 256]]) => {
        const bytes = probe.read(offset, len);
        return { length: bytes.length, bytes: Array.from(bytes.subarray(keep[0], keep[1])) };
      });
      return { results, stats: stats(probe), memory: memory() };
    } finally {
      probe.free();
    }
  },

  /** Sum of bytes over a range read in `chunk`-byte read_at calls (retrying short reads). */
  checksum({ blob, offset, len, chunk }) {
    const probe = new glue.BlobProbe(blob);
    try {
      const t0 = performance.now();
      const sum = probe.checksum(offset, len, chunk);
      return { sum, ms: performance.now() - t0, stats: stats(probe), memory: memory() };
    } finally {
      probe.free();
    }
  },

  /** The quick report. */
  inspect({ blob, options }) {
    const t0 = performance.now();
    const json = glue.inspect(blob, JSON.stringify(options ?? {}));
    return { json, ms: performance.now() - t0, memory: memory() };
  },

  /** SHA-256 with snapshot-wasm (Rust sha2), in 64 MiB steps. */
  sha256({ blob }) {
    const job = new glue.Sha256Job(blob);
    try {
      const t0 = performance.now();
      while (!job.step(64 << 20));
      return { hex: job.hex(), ms: performance.now() - t0, memory: memory() };
    } finally {
      job.free();
    }
  },

  /** SHA-256 with npm hash-wasm over the same 8 MiB FileReaderSync slices. */
  async hashWasm({ blob }) {
    hashWasm ??= await import('../../node_modules/hash-wasm/dist/index.esm.js');
    const hasher = await hashWasm.createSHA256();
    const reader = new FileReaderSync();
    const t0 = performance.now();
    hasher.init();
    for (let at = 0; at < blob.size; at += 8 << 20) {
      hasher.update(new Uint8Array(reader.readAsArrayBuffer(blob.slice(at, Math.min(blob.size, at + (8 << 20))))));
    }
    return { hex: hasher.digest('hex'), ms: performance.now() - t0 };
  },

  /** Full verification, in 64 MiB steps. */
  verify({ blob, options }) {
    const t0 = performance.now();
    const job = new glue.VerifyJob(blob, JSON.stringify(options ?? {}));
    try {
      while (!job.step(64 << 20));
      return { json: job.report_json(), bytes: job.total(), ms: performance.now() - t0, memory: memory() };
    } finally {
      job.free();
    }
  },

  /**
   * The floor of one worker's data pass on one deflated entry: its `csize` compressed bytes at
   * `offset` read into memory (timed), then the verifier's inflater alone and inflater + CRC-32
   * on them, best of `runs` each (no File reads, no report).
   */
  floor({ blob, offset, csize, runs = 3 }) {
    const t0 = performance.now();
    const raw = new Uint8Array(new FileReaderSync().readAsArrayBuffer(blob.slice(offset, offset + csize)));
    const readMs = performance.now() - t0;
    const time = (crc) => {
      let best = { ms: Infinity };
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const [out, sum] = glue.floor_inflate(raw, crc);
        const ms = performance.now() - t;
        if (ms < best.ms) best = { ms, out, crc: sum };
      }
      return best;
    };
    return { readMs, inflate: time(false), inflateCrc: time(true), memory: memory() };
  },

  /**
   * Mean time of one `len`-byte read far into the file: `count` reads 37 MiB apart, each a
   * window miss (so each is one FileReaderSync call), going backwards from `offset`.
   * (Worker clocks are coarse, so one read alone cannot be timed.)
   */
  smallReads({ blob, offset, len, count = 100 }) {
    const probe = new glue.BlobProbe(blob);
    try {
      const t0 = performance.now();
      for (let i = 0; i < count; i++) probe.read(offset - i * 37 * 2 ** 20, len);
      return { ms: (performance.now() - t0) / count, fills: probe.fills() };
    } finally {
      probe.free();
    }
  },
};

function stats(probe) {
  return { fills: probe.fills(), direct: probe.direct_reads(), hits: probe.hits(), bytes: probe.bytes_read() };
}

self.onmessage = async ({ data }) => {
  if (data.type === 'init') {
    wasm = glue.initSync({ module: data.module });
    return;
  }
  try {
    self.postMessage({ id: data.id, result: await ops[data.op](data) });
  } catch (err) {
    self.postMessage({ id: data.id, error: err?.message ?? String(err), trap: err instanceof WebAssembly.RuntimeError });
  }
};
