// The Blob reader (snapshot-wasm's BlobSource) inside a real dedicated worker in headless
// Chromium: offsets past 2 and 4 GiB, short reads, window reuse, flat memory, a file that
// changed after it was chosen, and a wasm trap the worker survives.

import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WORK, ensureWasmBuilt, launchBrowser, newPage, startServer } from './support/env.mjs';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const SLOT = 64 * MiB + 4096; // one base copy plus its marker in the composed Blob
const COPIES = 80; // 80 × (64 MiB + 4 KiB) ≈ 5.0 GiB

let server;
let browser;
let page;
let size;

before(async () => {
  ensureWasmBuilt();
  server = await startServer();
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.goto(`${server.url}tests/support/probe.html`);
  await page.waitForSelector('body[data-ready="true"]');
  size = await page.evaluate((n) => window.probe.composed(n), COPIES);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const reads = (list) => page.evaluate((l) => window.probe.run('reads', 'composed', { reads: l }), list);
const expected = (offset, len) => page.evaluate(([o, l]) => window.probe.expected(o, l), [offset, len]);

describe('BlobSource in a worker', () => {
  test('the composed Blob is over 5 GiB', () => {
    assert.equal(size, COPIES * SLOT);
    assert.ok(size > 5 * GiB - 64 * MiB, `size ${size}`);
  });

  test('reads across the 2 GiB and 4 GiB boundaries and near the end return the right bytes', async () => {
    const offsets = [0, 2 * GiB - 3, 4 * GiB - 5, 4 * GiB + 12345, 4.5 * GiB, 34 * SLOT - 2, size - 64];
    const { results } = await reads(offsets.map((o) => [o, 64]));
    for (const [i, offset] of offsets.entries()) {
      // A read may be short (never longer); whatever it returns must be the file's bytes.
      assert.ok(results[i].length > 0 && results[i].length <= 64, `length at ${offset}`);
      assert.deepEqual(results[i].bytes, await expected(offset, results[i].length), `bytes at ${offset}`);
    }
  });

  test('reads at and past the end are short or empty, never an error', async () => {
    const { results } = await reads([[size - 10, 100], [size, 100], [size + 5 * GiB, 10]]);
    assert.equal(results[0].length, 10);
    assert.deepEqual(results[0].bytes, await expected(size - 10, 10));
    assert.equal(results[1].length, 0);
    assert.equal(results[2].length, 0);
  });

  test('a read that straddles the cached window is short, and the retry continues exactly', async () => {
    const at = 4 * GiB + 1000;
    // The first read fills a 64 KiB window at `at`; a read crossing its end returns only the rest.
    const { results, stats } = await reads([[at, 16], [at + 65536 - 10, 100], [at + 65536, 90]]);
    assert.equal(stats.fills, 2, JSON.stringify(stats));
    assert.equal(results[1].length, 10, 'short read up to the window end');
    assert.deepEqual([...results[1].bytes, ...results[2].bytes], await expected(at + 65536 - 10, 100));
  });

  test('small reads near each other reuse one window; forward reads grow it; big reads bypass it', async () => {
    const at = 3 * GiB;
    const small = await reads([[at, 100], [at + 100, 100], [at + 5000, 30], [at + 60000, 10]]);
    assert.deepEqual(small.stats.fills, 1, JSON.stringify(small.stats));
    assert.equal(small.stats.hits, 3);

    // 64 sequential 512 KiB reads (32 MiB): the window doubles up to 8 MiB, so a handful of
    // FileReaderSync calls serve them all.
    const seq = await reads(Array.from({ length: 64 }, (_, i) => [at + i * 512 * 1024, 512 * 1024, [0, 32]]));
    assert.ok(seq.stats.fills <= 12, `fills ${seq.stats.fills}`);
    assert.ok(seq.stats.bytes < 48 * MiB, `read ${seq.stats.bytes} bytes for 32 MiB`);
    assert.deepEqual(seq.results[63].bytes.slice(0, 32), await expected(at + 63 * 512 * 1024, 32));

    const big = await reads([[4 * GiB - 4 * MiB, 8 * MiB, [4 * MiB - 8, 4 * MiB + 8]]]);
    assert.equal(big.stats.direct, 1);
    assert.equal(big.stats.fills, 0);
    assert.equal(big.results[0].length, 8 * MiB);
    assert.deepEqual(big.results[0].bytes, await expected(4 * GiB - 8, 16));
  });

  test('a jump resets the window to a small fill: sparse reads do not read the file', async () => {
    // Reads 100 MiB apart, as the local headers of big entries are.
    const list = Array.from({ length: 40 }, (_, i) => [i * 100 * MiB + 7, 46, [0, 0]]);
    const { stats } = await reads(list);
    assert.equal(stats.fills, 40);
    assert.ok(stats.bytes <= 40 * 128 * 1024, `read ${stats.bytes} bytes for 40 sparse reads`);
  });

  test('odd-sized reads over 640 MiB across 4 GiB give the right checksum with flat memory', async () => {
    const offset = 4 * GiB - 320 * MiB;
    const len = 640 * MiB;
    const r = await page.evaluate(([o, l]) => window.probe.run('checksum', 'composed', { offset: o, len: l, chunk: 1_000_003 }), [offset, len]);
    // Expected checksum: the range covers whole and partial slots of known content.
    const want = await page.evaluate(([o, l]) => {
      const BASE = 64 << 20;
      const MARK = 4096;
      const slot = BASE + MARK;
      let baseSum = 0;
      for (let i = 0; i < BASE; i++) baseSum = (baseSum + (((i * 2654435761) >>> 24) & 0xff)) >>> 0;
      const byteAt = (x) => {
        const k = Math.floor(x / slot);
        const r = x - k * slot;
        return r < BASE ? ((r * 2654435761) >>> 24) & 0xff : (k * 31 + (r - BASE) * 7 + 1) & 0xff;
      };
      let sum = 0;
      let x = o;
      const end = o + l;
      while (x < end) {
        const k = Math.floor(x / slot);
        if (x === k * slot && x + BASE <= end) {
          sum = (sum + baseSum) >>> 0;
          x += BASE;
        } else {
          sum = (sum + byteAt(x)) >>> 0;
          x += 1;
        }
      }
      return sum;
    }, [offset, len]);
    assert.equal(r.sum, want);
    assert.ok(r.memory <= 64 * MiB, `wasm memory ${r.memory}`);
  });

  test('wasm linear memory stays at most 64 MiB after all of the above', async () => {
    const { memory } = await reads([[0, 1]]);
    assert.ok(memory <= 64 * MiB, `wasm memory ${memory}`);
  });
});

describe('errors', () => {
  test('a file changed on disk after it was chosen gives the "choose it again" message', async () => {
    const dir = join(WORK, 'changed');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'changing.zip');
    writeFileSync(path, Buffer.alloc(256 * 1024, 7));
    await page.setInputFiles('#files', path);
    await page.evaluate(() => window.probe.registerFiles());
    writeFileSync(path, Buffer.alloc(100 * 1024, 9));
    const later = new Date(Date.now() + 5000);
    utimesSync(path, later, later);
    const err = await page.evaluate(() => window.probe.run('inspect', 'changing.zip', {}).then(() => null, (e) => e.message));
    assert.match(err ?? 'no error', /the file changed on disk after it was chosen; choose it again/);
  });

  test('a panic traps, and the page\'s worker recovers and keeps working', async () => {
    const p2 = await newPage(browser);
    await p2.goto(server.url);
    await p2.waitForSelector('body[data-ready="true"]');
    const result = await p2.evaluate(async () => {
      const { SnapshotChecker } = await import('/lib/snapshot-client.js');
      const checker = await SnapshotChecker.create();
      const panic = await checker.debugPanic('boom').then(() => 'no error', (e) => `${e.code}: ${e.message}`);
      const empty = new Blob([new Uint8Array([0x50, 0x4b, 5, 6, ...new Array(18).fill(0)])]);
      const { report } = await checker.inspect(empty, { file_name: 'empty.zip' });
      const again = await checker.debugPanic('twice').then(() => 'no error', (e) => e.code);
      const { report: report2 } = await checker.inspect(empty, { file_name: 'empty.zip' });
      return { panic, code: report.findings[0]?.code, again, code2: report2.findings[0]?.code };
    });
    assert.match(result.panic, /^panic: internal error \(unreachable/);
    assert.equal(result.code, 'not-a-snapshot');
    assert.equal(result.again, 'panic');
    assert.equal(result.code2, 'not-a-snapshot');
    await p2.close();
  });
});
