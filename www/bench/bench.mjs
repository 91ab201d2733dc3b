#!/usr/bin/env node
// Browser benchmark (run by hand, not part of the tests):  node www/bench/bench.mjs
//
// In headless Chromium, inside a dedicated worker, on files read with FileReaderSync:
//   * SHA-256 of a 1 GB file: snapshot-wasm (Rust sha2 0.11, simd128) vs npm hash-wasm, both
//     reading the same 8 MiB slices;
//   * full verification MB/s (stored data: CRC only; deflated data: inflate + CRC) vs the native
//     CLI on one thread (`snapshot-verify check --level full -j 1`);
//   * quick inspect of a 5 GiB, 100,000-entry ZIP64 archive, and one 64 KiB read at 5 GiB;
//   * the full verification on a pool of 1 and 2 workers (the client's SnapshotChecker) vs the
//     native CLI with as many threads (-j 1, -j 2), on the deflated file;
//   * the wasm SIMD build vs the build without SIMD (inflate + CRC-32, SHA-256);
//   * the stored-data read rate of a File (FileReaderSync, 8 MiB reads, no work);
//   * wasm linear memory after each run (per worker for the pool);
//   * the floor of one worker: the deflated file's largest entry inflated from memory by the
//     wasm inflater alone and with CRC-32, vs `inflate-floor` (native inflate + CRC-32, one
//     thread): the best ratio to the native CLI one worker can reach, whatever the rest costs.
// Options: BENCH_SIZE (bytes hashed, default 1e9), BENCH_RUNS (best of, default 3),
// BENCH_ONLY (comma-separated sections: sha, verify, quick, pool, read, simd, floor; default all).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus, loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, WORK, ensureWasmBuilt, launchBrowser, newPage, startServer } from '../tests/support/env.mjs';

const SIZE = Number(process.env.BENCH_SIZE ?? 1e9);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MAKE_ZIPS = fileURLToPath(new URL('../tests/support/make_zips.py', import.meta.url));
const CLI = join(REPO, 'target/release/snapshot-verify');
const MB = 1e6;
const MiB = 2 ** 20;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const want = (section) => !ONLY || ONLY.has(section);

const log = (...a) => process.stderr.write(`${a.join(' ')}\n`);

function make(name, ...args) {
  const path = join(WORK, 'bench', name);
  if (!existsSync(path)) {
    log(`generating ${name}…`);
    execFileSync('python3', [MAKE_ZIPS, args[0], path, ...args.slice(1).map(String)]);
  }
  return path;
}

/** Best wall time of `runs` native runs, in ms. */
function timeNative(args, runs = RUNS) {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(CLI, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status === null || r.status > 1) throw new Error(`${CLI} ${args.join(' ')}: ${r.stderr}`);
    best = Math.min(best, ms);
  }
  return best;
}

/** Reads a file once so that every measurement sees it in the page cache. */
function warm(path) {
  execFileSync('cat', [path], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 0 });
}

async function main() {
  mkdirSync(join(WORK, 'bench'), { recursive: true });
  ensureWasmBuilt();
  execFileSync('cargo', ['build', '-q', '--release', '-p', 'snapshot-verify'], { cwd: REPO, stdio: 'inherit' });

  const stored = make(`stored-${SIZE}.zip`, 'big', SIZE, 100); // sparse: holes read as zeros
  const deflated = make(`deflated-${SIZE}.zip`, 'deflated', SIZE); // real, fully written
  const many = make('many-5GiB-100k.zip', 'big', 5 * 2 ** 30, 100_000);
  for (const f of [stored, deflated]) warm(f);

  const server = await startServer();
  const browser = await launchBrowser();
  const chromiumVersion = browser.version();
  const page = await newPage(browser);
  await page.goto(`${server.url}tests/support/probe.html`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.setInputFiles('#files', [stored, deflated, many]);
  await page.evaluate(() => window.probe.registerFiles());
  const run = (op, file, args = {}) => page.evaluate(([o, f, a]) => window.probe.run(o, f, a), [op, basename(file), args]);

  /** Best of RUNS for a browser op; returns the fastest result. */
  async function best(op, file, args) {
    let top = null;
    for (let i = 0; i < RUNS; i++) {
      const r = await run(op, file, args);
      if (!top || r.ms < top.ms) top = r;
    }
    return top;
  }

  const rows = [];
  const row = (what, value, unit, ratio = '') => {
    rows.push([what, typeof value === 'number' ? value.toFixed(value >= 100 ? 0 : 1) : value, unit, ratio]);
    log(`  ${rows.at(-1).join('  ')}`);
  };
  log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other work on the machine skews the numbers)`);

  const storedSize = statSync(stored).size;
  // SHA-256: Rust sha2 in snapshot-wasm vs hash-wasm on the same file and slices.
  if (want('sha')) {
    log('SHA-256…');
    const rust = await best('sha256', stored);
    const hw = await best('hashWasm', stored);
    if (rust.hex !== hw.hex) throw new Error(`digests differ: ${rust.hex} vs ${hw.hex}`);
    const rustRate = storedSize / MB / (rust.ms / 1000);
    const hwRate = storedSize / MB / (hw.ms / 1000);
    row(`SHA-256, snapshot-wasm (sha2 0.11 simd128), ${(storedSize / 1e9).toFixed(2)} GB`, rustRate, 'MB/s', `${(rustRate / hwRate).toFixed(2)} × hash-wasm`);
    row('SHA-256, hash-wasm 4.13, same 8 MiB slices', hwRate, 'MB/s');
    const native = spawnSync('sha256sum', [stored]);
    if (native.status === 0) {
      const t0 = process.hrtime.bigint();
      spawnSync('sha256sum', [stored]);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      row('SHA-256, coreutils sha256sum (native, for scale)', storedSize / MB / (ms / 1000), 'MB/s');
    }
  }

  // Full verification: stored (CRC only) and deflated (inflate + CRC), vs the native CLI on one thread.
  for (const [label, file] of want('verify') ? [['stored data (CRC-32)', stored], ['deflated data (inflate + CRC-32)', deflated]] : []) {
    log(`full verification, ${label}…`);
    const size = statSync(file).size;
    const wasm = await best('verify', file, { options: { file_name: basename(file) } });
    const wasmRate = size / MB / (wasm.ms / 1000);
    const nativeMs = timeNative(['check', '--level', 'full', '--format', 'json', '-j', '1', file]);
    const nativeRate = size / MB / (nativeMs / 1000);
    const report = JSON.parse(wasm.json);
    row(`Full verify in the browser, ${label}, ${(size / 1e9).toFixed(2)} GB file (${report.summary.entries_verified} entries)`, wasmRate, 'MB/s', `${(wasmRate / nativeRate).toFixed(2)} × native -j1`);
    row(`Full verify, native CLI -j 1, ${label}`, nativeRate, 'MB/s');
    row('  wasm memory after it', wasm.memory / MiB, 'MiB');
  }

  // Quick inspect of a 5 GiB, 100,000-entry archive (cold worker instance each run is not
  // needed: inspect allocates afresh), and the cost of one small read far into the file.
  if (want('quick')) {
    log('quick inspect of the 100,000-entry archive…');
    const manySize = statSync(many).size;
    const quick = await best('inspect', many, { options: { file_name: basename(many) } });
    const report = JSON.parse(quick.json);
    const nativeQuick = timeNative(['check', '--level', 'quick', '--format', 'json', many]);
    row(`Quick inspect, ${(manySize / 2 ** 30).toFixed(2)} GiB, ${report.archive.entries} entries`, quick.ms, 'ms', `native CLI ${nativeQuick.toFixed(0)} ms`);
    row('  wasm memory after it', quick.memory / MiB, 'MiB');
    const small = await best('smallReads', many, { offset: manySize - 128 * 1024, len: 64 * 1024 });
    row(`One 64 KiB read near the end of the 5 GiB file (mean of 100 window misses, ${small.fills} calls)`, small.ms.toFixed(3), 'ms');
  }

  // The pool: the client's verify() with 1 and 2 workers vs the CLI with as many threads.
  const deflatedSize = statSync(deflated).size;
  for (const workers of want('pool') ? [1, 2] : []) {
    log(`full verification on a pool of ${workers}…`);
    let top = null;
    for (let i = 0; i < RUNS; i++) {
      const r = await page.evaluate(([f, a]) => window.probe.checked('verify', f, a), [basename(deflated), { workers, options: { file_name: basename(deflated) } }]);
      if (r.error) throw new Error(`pool of ${workers}: ${r.code}: ${r.error}`);
      if (!top || r.ms < top.ms) top = r;
    }
    const rate = deflatedSize / MB / (top.ms / 1000);
    const nativeMs = timeNative(['check', '--level', 'full', '--format', 'json', '-j', String(workers), deflated]);
    const nativeRate = deflatedSize / MB / (nativeMs / 1000);
    row(`Full verify, pool of ${workers} worker${workers > 1 ? 's' : ''}, deflated, ${(deflatedSize / 1e9).toFixed(2)} GB`, rate, 'MB/s', `${(rate / nativeRate).toFixed(2)} × native -j${workers}`);
    row(`Full verify, native CLI -j ${workers}, deflated`, nativeRate, 'MB/s');
    row('  wasm memory per worker (largest)', top.memory / MiB, 'MiB');
  }

  // The stored-data read rate of a File: FileReaderSync in 8 MiB reads, only a byte sum on top.
  if (want('read')) {
    log('File read rate…');
    let readTop = null;
    for (let i = 0; i < RUNS; i++) {
      const r = await run('checksum', stored, { offset: 0, len: storedSize, chunk: 8 * MiB });
      if (!readTop || r.ms < readTop.ms) readTop = r;
    }
    row(`File read rate (FileReaderSync, 8 MiB reads), ${(storedSize / 1e9).toFixed(2)} GB`, storedSize / MB / (readTop.ms / 1000), 'MB/s');
  }

  // The floor of one worker: the largest deflated entry, from memory, inflated by wasm alone and
  // with CRC-32, against native inflate + CRC-32 of the same entry on one thread.
  if (want('floor')) {
    log('the floor of one worker…');
    const find = 'import sys, zipfile, struct\n'
      + 'z = zipfile.ZipFile(sys.argv[1]); e = max((i for i in z.infolist() if i.compress_type == 8), key=lambda i: i.file_size)\n'
      + 'f = open(sys.argv[1], "rb"); f.seek(e.header_offset); h = f.read(30); n, m = struct.unpack("<HH", h[26:30])\n'
      + 'print(e.filename, e.header_offset + 30 + n + m, e.compress_size, e.file_size, e.CRC)';
    const [entry, offset, csize, usize, crc] = execFileSync('python3', ['-c', find, deflated], { encoding: 'utf8' }).trim().split(' ');
    const floor = await run('floor', deflated, { offset: Number(offset), csize: Number(csize), runs: RUNS });
    for (const r of [floor.inflate, floor.inflateCrc]) {
      if (r.out !== Number(usize)) throw new Error(`floor: ${entry} inflated to ${r.out} bytes, not ${usize}`);
    }
    if (floor.inflateCrc.crc !== Number(crc)) throw new Error(`floor: ${entry}: CRC-32 ${floor.inflateCrc.crc}, the directory says ${crc}`);
    execFileSync('cargo', ['build', '-q', '--release', '-p', 'snapshot-bench', '--bin', 'inflate-floor'], { cwd: REPO, stdio: 'inherit' });
    const native = execFileSync(join(REPO, 'target/release/inflate-floor'), ['--repeat', String(RUNS), deflated, entry], { encoding: 'utf8' });
    const nativeS = Number(/, ([0-9.]+) s,/.exec(native)[1]);
    const out = Number(usize) / MB;
    const ratio = (ms) => `${(nativeS * 1000 / ms).toFixed(2)} × native inflate + CRC-32`;
    row(`wasm inflate alone, ${entry} from memory (${out.toFixed(0)} MB out)`, out / (floor.inflate.ms / 1000), 'MB/s out', ratio(floor.inflate.ms));
    row('wasm inflate + CRC-32, same entry (the floor of one worker)', out / (floor.inflateCrc.ms / 1000), 'MB/s out', ratio(floor.inflateCrc.ms));
    row('  of which CRC-32', ((floor.inflateCrc.ms - floor.inflate.ms) / floor.inflateCrc.ms) * 100, '%');
    row('native inflate + CRC-32, same entry (inflate-floor, one thread)', out / nativeS, 'MB/s out');
    row(`  reading its ${(Number(csize) / MB).toFixed(0)} MB from the File`, floor.readMs, 'ms');
  }

  // wasm SIMD vs no SIMD, one worker each: inflate + CRC-32 (deflated), CRC-32 (stored), SHA-256.
  if (want('simd') && existsSync(join(REPO, 'www/pkg/snapshot_wasm_plain_bg.wasm'))) {
    log('the build without SIMD…');
    const plainPage = await newPage(browser);
    await plainPage.goto(`${server.url}tests/support/probe.html?wasm=plain`);
    await plainPage.waitForSelector('body[data-ready="true"]');
    await plainPage.setInputFiles('#files', [stored, deflated]);
    await plainPage.evaluate(() => window.probe.registerFiles());
    const plainRun = (op, file, args = {}) => plainPage.evaluate(([o, f, a]) => window.probe.run(o, f, a), [op, basename(file), args]);
    for (const [label, op, file, args] of [
      ['inflate + CRC-32 (full verify, deflated)', 'verify', deflated, { options: { file_name: basename(deflated) } }],
      ['CRC-32 (full verify, stored)', 'verify', stored, { options: { file_name: basename(stored) } }],
      ['SHA-256', 'sha256', stored, {}],
    ]) {
      let simd = null;
      let plain = null;
      for (let i = 0; i < RUNS; i++) {
        const a = await run(op, file, args);
        const b = await plainRun(op, file, args);
        if (!simd || a.ms < simd.ms) simd = a;
        if (!plain || b.ms < plain.ms) plain = b;
      }
      if ((simd.json ?? simd.hex) !== (plain.json ?? plain.hex)) throw new Error(`${label}: the two builds disagree`);
      const size = statSync(file).size;
      row(`SIMD build, ${label}`, size / MB / (simd.ms / 1000), 'MB/s', `${(plain.ms / simd.ms).toFixed(2)} × the build without SIMD`);
      row(`Build without SIMD, ${label}`, size / MB / (plain.ms / 1000), 'MB/s');
    }
  }

  for (const name of ['snapshot_wasm_bg.wasm', 'snapshot_wasm_plain_bg.wasm']) {
    const path = join(REPO, 'www/pkg', name);
    if (!existsSync(path)) continue;
    const gz = gzipSync(readFileSync(path), { level: 9 }).length;
    row(name, statSync(path).size / 1024, 'KiB', `${(gz / 1024).toFixed(0)} KiB gzipped`);
  }

  await browser.close();
  await server.close();

  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => String(r[i]).length), ['what', 'value', 'unit', 'ratio'][i].length));
  const line = (r) => r.map((c, i) => (i === 1 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  console.log(`\nBrowser benchmark (headless Chromium ${chromiumVersion}, best of ${RUNS})\n`);
  console.log(line(['what', 'value', 'unit', 'ratio']));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
