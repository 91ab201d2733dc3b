// URL checks (issue 14): the client's inspect/verify/sha256 read an http(s) URL with ranged
// requests inside the worker. The archive server of scripts/serve.mjs (another origin) serves
// the same files with Range + CORS, without CORS, without Range, and with an ETag that changes
// on every response.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WORK, bigFixture, ensureWasmBuilt, generatedFixtures, launchBrowser, newPage, startServer } from './support/env.mjs';

const DIR = join(WORK, 'url-archives');
let server;
let browser;
let page;
let sample;
let big;

before(async () => {
  ensureWasmBuilt();
  mkdirSync(DIR, { recursive: true });
  const generated = generatedFixtures();
  // A snapshot without errors (the dialog may upload it).
  const source = generated.python.find((p) => p.endsWith('py-good-7.0.4.zip'));
  sample = 'py-good-7.0.4.zip';
  copyFileSync(source, join(DIR, sample));
  // 64 MB: big enough that downloading it whole would show in the server's byte count.
  big = 'big.zip';
  copyFileSync(bigFixture(64e6, 50), join(DIR, big));
  server = await startServer({ archives: DIR });
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.goto(`${server.url}tests/support/probe.html`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.setInputFiles('#files', [join(DIR, sample), join(DIR, big)]);
  await page.evaluate(() => window.probe.registerFiles());
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const checked = (op, name, args) => page.evaluate(([o, n, a]) => window.probe.checked(o, n, a), [op, name, args]);
const url = (kind, name) => `${server.archivesUrl}${kind}/${name}`;
const stats = () => page.evaluate(async (u) => (await fetch(u)).json(), `${server.archivesUrl}_stats`);

describe('a URL with Range and CORS reads like the File', () => {
  test('inspect, verify (1 and 2 workers) and sha256 equal the File results', async () => {
    const options = { file_name: sample, target_version: '7.0.4' };
    for (const op of ['inspect', 'verify']) {
      for (const workers of op === 'verify' ? [1, 2] : [1]) {
        const fromFile = await checked(op, sample, { workers, options });
        const fromUrl = await checked(op, url('archives', sample), { workers, options });
        assert.equal(fromFile.error, undefined, fromFile.error);
        assert.equal(fromUrl.error, undefined, `${op}, ${workers} workers: ${fromUrl.code}: ${fromUrl.error}`);
        assert.equal(fromUrl.json, fromFile.json, `${op}, ${workers} workers`);
      }
    }
    const hash = await checked('sha256', url('archives', big), {});
    assert.equal(hash.error, undefined, hash.error);
    assert.equal(hash.hex, createHash('sha256').update(readFileSync(join(DIR, big))).digest('hex'));
  });

  test('a quick check reads a few ranges, not the whole object', async () => {
    const before = (await stats()).sent.archives;
    const r = await checked('inspect', url('archives', big), { options: { file_name: big } });
    assert.equal(r.error, undefined, r.error);
    const read = (await stats()).sent.archives - before;
    assert.ok(read < 8e6, `read ${read} bytes of 64 MB`);
  });
});

describe('URLs that cannot be checked fail with a clear code', () => {
  test("no CORS headers: 'cors'", async () => {
    for (const op of ['inspect', 'verify']) {
      const r = await checked(op, url('archives-nocors', sample), { workers: 2, options: {} });
      assert.equal(r.code, 'cors', `${op}: ${r.code}: ${r.error}`);
      assert.match(r.error, /CORS/);
    }
  });

  test("no Range support: 'no-range', without downloading the object", async () => {
    const before = (await stats()).sent['archives-norange'];
    const r = await checked('inspect', url('archives-norange', big), { options: {} });
    assert.equal(r.code, 'no-range', `${r.code}: ${r.error}`);
    assert.match(r.error, /range requests/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = (await stats()).sent['archives-norange'] - before;
    assert.ok(read < 16e6, `sent ${read} bytes of a 64 MB object that has no Range support`);
  });

  test("an object that changes while it is read: 'changed'", async () => {
    const r = await checked('inspect', url('archives-changing', sample), { options: {} });
    assert.equal(r.code, 'changed', `${r.code}: ${r.error}`);
  });

  test("not an http(s) URL, a missing object: 'bad-request', 'http'", async () => {
    const bad = await checked('inspect', 'ftp://example.invalid/x.zip', {});
    assert.equal(bad.code, 'bad-request');
    const gone = await checked('inspect', url('archives', 'missing.zip'), {});
    assert.equal(gone.code, 'http', `${gone.code}: ${gone.error}`);
    assert.match(gone.error, /404/);
  });
});

describe('the dialog checks a URL before upload by URL', () => {
  /** The dialog with the verifier ready, the URL entered and checked. */
  async function checkUrl(t, address) {
    const dialog = await newPage(browser);
    t.after(() => dialog.close());
    await dialog.goto(server.url);
    await dialog.waitForSelector('body[data-ready="true"]');
    await dialog.fill('#snapshot-url', address);
    await dialog.click('#check-url');
    return dialog;
  }

  test('a URL with CORS and Range: checked, then uploaded by URL', async (t) => {
    const dialog = await checkUrl(t, url('archives', sample));
    await dialog.waitForFunction(() => window.snapshotDialog.full, null, { timeout: 60_000 });
    assert.equal(await dialog.inputValue('#snapshot-id'), 'py-good-7.0.4');
    assert.equal(await dialog.evaluate(() => window.snapshotDialog.full.summary.errors), 0);
    assert.ok(await dialog.locator('#upload-button').isEnabled(), await dialog.locator('#upload-hint').innerText());
    const id = `byurl_${Date.now()}`;
    await dialog.fill('#snapshot-id', id);
    await dialog.click('#upload-button');
    await dialog.waitForFunction(() => /fetch/.test(document.getElementById('upload-result').textContent), null, { timeout: 10_000 });
    const recorded = await dialog.evaluate(async (i) => (await fetch(`/api/v3.1/snapshots/${i}`)).json(), id);
    assert.equal(recorded.url, url('archives', sample));
  });

  for (const [kind, code] of [['archives-nocors', 'CORS'], ['archives-norange', 'range requests']]) {
    test(`${kind}: the dialog says why and offers to go on unchecked`, async (t) => {
      const dialog = await checkUrl(t, url(kind, sample));
      await dialog.waitForSelector('#go-unchecked:visible', { timeout: 10_000 });
      assert.match(await dialog.locator('#url-unchecked-text').innerText(), new RegExp(code));
      assert.ok(!(await dialog.locator('#upload-button').isEnabled()), 'no upload before going on unchecked');
      await dialog.click('#go-unchecked');
      assert.ok(await dialog.locator('#upload-button').isEnabled(), await dialog.locator('#upload-hint').innerText());
    });
  }
});
