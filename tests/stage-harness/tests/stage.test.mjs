// The drop-in upload modal in a Stage-like app (React 16.14, semantic-ui-react 2.1, TypeScript 4,
// webpack 5 production build of the packed npm tarball), driven in headless Chromium.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { build } from '../build.mjs';
import { startServer } from '../server.mjs';
import { HARNESS, fixtures, launchBrowser, newPage, packAndInstall, sha256Of } from './support.mjs';

let server;
let browser;
let files;

before(async () => {
  packAndInstall();
  files = fixtures();
  const t0 = Date.now();
  await build();
  process.stderr.write(`stage-harness: webpack production build in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  server = await startServer({ archives: files.dir });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openModal(query = '') {
  const page = await newPage(browser);
  await page.goto(`${server.url}/${query}`);
  await page.waitForFunction(() => window.harness?.ready === true);
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.locator('.upload-snapshot-modal').waitFor();
  return page;
}

const approve = (page) => page.locator('.upload-snapshot-modal .upload-approve');
const serverLog = async () => (await fetch(`${server.url}/__log`)).json();

test('TypeScript 4.x type-checks the drop-in against the package types and the Stage stand-ins', () => {
  const tsc = join(HARNESS, 'node_modules/.bin/tsc');
  assert.match(execFileSync(tsc, ['--version'], { encoding: 'utf8' }), /^Version 4\./);
  execFileSync(tsc, ['-p', join(HARNESS, 'tsconfig.json'), '--noEmit'], { stdio: ['ignore', 'inherit', 'inherit'] });
});

test('webpack emits the worker chunk and the wasm asset with no configuration for them', () => {
  const dist = join(HARNESS, 'dist');
  const names = readdirSync(dist);
  // Each wasm of the package (the client may choose between builds) is emitted once, unchanged.
  const pkg = join(HARNESS, 'node_modules/snapshot-verify-browser/pkg');
  const digests = (dir, files) => [...new Set(files.filter((n) => n.endsWith('.wasm')).map((n) => sha256Of(join(dir, n))))].sort();
  assert.ok(digests(dist, names).length > 0, `a wasm asset: ${names.join(', ')}`);
  assert.deepEqual(digests(dist, names), digests(pkg, readdirSync(pkg)));
  const chunks = names.filter((n) => n.endsWith('.js')).map((n) => readFileSync(join(dist, n), 'utf8'));
  assert.ok(chunks.some((c) => c.includes('FileReaderSync') || c.includes('initSync')), 'a chunk holds the worker and its glue');
});

test('choose a file → preview → full verify → upload with a verified Content-Digest', async () => {
  const page = await openModal();
  await page.locator('input[name="snapshotFile"]').setInputFiles(files.good);
  // The quick report arrives first, then the full one.
  await page.locator('.snapshot-check-preview').waitFor();
  assert.match(await page.locator('.snapshot-check-preview').innerText(), /7\.0\.4/);
  const verdict = page.locator('.snapshot-check-verdict[data-level="full"]');
  await verdict.waitFor({ timeout: 60_000 });
  assert.match(await verdict.getAttribute('data-verdict'), /^pass/);
  assert.equal(await page.locator('input[name="snapshotId"]').inputValue(), 'good-snapshot');
  await page.waitForFunction(() => !document.querySelector('.upload-snapshot-modal .upload-approve').disabled, null, { timeout: 60_000 });
  // Record the upload progress bar's values while the upload runs.
  await page.evaluate(() => {
    window.uploadPercents = [];
    new MutationObserver(() => {
      const bar = document.querySelector('.upload-progress');
      if (bar) window.uploadPercents.push(Number(bar.getAttribute('data-percent')));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await approve(page).click();
  await page.locator('.upload-snapshot-modal').waitFor({ state: 'detached', timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.harness.refreshes), 1);
  const percents = await page.evaluate(() => window.uploadPercents);
  assert.ok(percents.length > 0 && Math.max(...percents) === 100, `upload progress shown: ${percents}`);
  const entry = (await serverLog()).find((e) => e.id === 'good-snapshot');
  assert.ok(entry, 'the server got the upload');
  assert.equal(entry.sha256, sha256Of(files.good));
  assert.equal(entry.digest_ok, true);
  assert.equal(entry.size, statSync(files.good).size);
  assert.equal(entry.tenant, 'default_tenant');
  assert.equal(entry.type, 'application/octet-stream');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an upload over an existing snapshot is warned about', async () => {
  // 'good-snapshot' was uploaded by the test above.
  const page = await openModal();
  await page.locator('input[name="snapshotId"]').fill('good-snapshot');
  await page.locator('.upload-id-exists').waitFor({ timeout: 10_000 });
  await page.locator('input[name="snapshotId"]').fill('another-name');
  await page.locator('.upload-id-exists').waitFor({ state: 'detached' });
  await page.close();
});

test('a CRC error found by the full verification keeps Upload disabled', async () => {
  const page = await openModal();
  await page.locator('input[name="snapshotFile"]').setInputFiles(files.crc);
  const verdict = page.locator('.snapshot-check-verdict[data-level="full"]');
  await verdict.waitFor({ timeout: 60_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'fail');
  assert.ok(await page.locator('.snapshot-check-findings tr[data-code]').count() > 0);
  assert.equal(await approve(page).isDisabled(), true);
  await page.close();
});

test('closing the modal cancels the running checks', async () => {
  const page = await openModal();
  await page.locator('input[name="snapshotFile"]').setInputFiles(files.big);
  await page.locator('.snapshot-check-progress-hash').waitFor({ timeout: 30_000 });
  // Both long jobs are under way (they have reported progress).
  await page.waitForFunction(() => ['hash', 'verify'].every((op) => window.workerLog.some((e) => e.type === 'progress' && e.op === op)), null, { timeout: 30_000 });
  const closedAt = await page.evaluate(() => performance.now());
  await page.locator('.upload-snapshot-modal').getByRole('button', { name: 'Cancel' }).last().click();
  await page.locator('.upload-snapshot-modal').waitFor({ state: 'detached' });
  // Each running job gets a cancel message and is acknowledged (or its worker is terminated).
  const stopped = await page
    .waitForFunction(
      (t) => {
        const after = window.workerLog.filter((e) => e.t >= t);
        const cancels = after.filter((e) => e.dir === 'out' && e.type === 'cancel').length;
        const acks = after.filter((e) => (e.dir === 'in' && e.type === 'cancelled') || e.dir === 'terminate').length;
        return cancels >= 1 && acks >= cancels;
      },
      closedAt,
      { timeout: 10_000 },
    )
    .then(() => true, () => false);
  const trail = await page.evaluate(() => JSON.stringify(window.workerLog.map(({ dir, type, op }) => [dir, type, op].filter(Boolean).join(':'))));
  assert.ok(stopped, `every running job was cancelled and stopped; worker messages: ${trail}`);
  const results = await page.evaluate((t) => window.workerLog.filter((e) => e.t >= t && e.dir === 'in' && e.type === 'result').length, closedAt + 1000);
  assert.equal(results, 0, 'no job finished after it was cancelled');
  await page.close();
});

test('a file over the body limit is steered to the URL option', async () => {
  const limit = 100_000;
  assert.ok(statSync(files.good).size > limit);
  const page = await openModal(`?maxBodySize=${limit}`);
  await page.locator('input[name="snapshotFile"]').setInputFiles(files.good);
  await page.locator('.upload-too-big').waitFor();
  // The drop-in's strings go through Stage's i18n: a key in en.json wins over the English default,
  // and the defaults' placeholders are filled in.
  assert.equal((await page.locator('.upload-use-url').innerText()).trim(), 'Use a URL instead (en.json)');
  const tooBig = await page.locator('.upload-too-big').innerText();
  assert.match(tooBig, /accepts at most 97\.7 KiB/);
  assert.doesNotMatch(tooBig, /\{\{/);
  // The quick preview still shows; the file cannot be uploaded.
  await page.locator('.snapshot-check-preview').waitFor();
  assert.equal(await approve(page).isDisabled(), true);
  await page.locator('.upload-use-url').click();
  assert.equal(await page.locator('input[name="snapshotUrl"]').inputValue(), '');
  assert.equal(await page.locator('.upload-too-big').count(), 0);
  const url = `${server.url}/archives/${basename(files.good)}`;
  await page.locator('input[name="snapshotUrl"]').fill(url);
  // Checked from the browser when the client reads URLs; otherwise the user may go on unchecked.
  await page.waitForSelector('.snapshot-check-verdict[data-level="full"], .upload-url-blocked, .upload-url-unchecked', { timeout: 60_000 });
  if (await page.locator('.upload-url-blocked').count()) await page.locator('.upload-go-unchecked').click();
  await page.waitForFunction(() => !document.querySelector('.upload-snapshot-modal .upload-approve').disabled, null, { timeout: 30_000 });
  await approve(page).click();
  await page.locator('.upload-snapshot-modal').waitFor({ state: 'detached', timeout: 30_000 });
  const entry = (await serverLog()).find((e) => e.url === url);
  assert.ok(entry, 'the manager was given the URL');
  assert.equal(entry.id, 'good-snapshot');
  await page.close();
});

test('a URL whose server ignores Range offers to go on unchecked', async () => {
  const page = await openModal();
  const url = `${server.url}/norange/${basename(files.good)}`;
  await page.locator('input[name="snapshotUrl"]').fill(url);
  await page.locator('input[name="snapshotId"]').fill('from-norange');
  await page.waitForSelector('.upload-url-blocked, .upload-url-unchecked', { timeout: 60_000 });
  if (await page.locator('.upload-url-blocked').count()) {
    // A client that reads URLs: it refuses to download the whole object, and says why.
    assert.equal(await page.locator('.upload-url-blocked').getAttribute('data-code'), 'no-range');
    assert.equal(await approve(page).isDisabled(), true);
    await page.locator('.upload-go-unchecked').click();
  }
  await page.waitForFunction(() => !document.querySelector('.upload-snapshot-modal .upload-approve').disabled, null, { timeout: 30_000 });
  await approve(page).click();
  await page.locator('.upload-snapshot-modal').waitFor({ state: 'detached', timeout: 30_000 });
  assert.ok((await serverLog()).some((e) => e.url === url && e.id === 'from-norange'));
  await page.close();
});

/** Loads `path`, where a page sets window.plain = {SnapshotChecker}, and checks the good fixture. */
async function checkWithoutHarness(path) {
  const page = await newPage(browser);
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(() => window.plain !== undefined);
  await page.locator('#file').setInputFiles(files.good);
  const result = await page.evaluate(async () => {
    const file = document.querySelector('#file').files[0];
    const checker = await window.plain.SnapshotChecker.create();
    const quick = await checker.inspect(file, { target_version: '7.0.4', file_name: file.name });
    const [{ hex }, full] = await Promise.all([checker.sha256(file), checker.verify(file, { file_name: file.name })]);
    checker.dispose();
    return { quick: quick.report.verdict, full: full.report.verdict, level: full.report.settings.level, hex };
  });
  assert.match(result.quick, /^pass/);
  assert.match(result.full, /^pass/);
  assert.equal(result.level, 'full');
  assert.equal(result.hex, sha256Of(files.good));
  assert.deepEqual(page.errors, []);
  await page.close();
}

test('the client works from a plain <script type="module"> without a bundler', async () => {
  await checkWithoutHarness('/plain.html');
});

test('Vite builds the client, its worker and its wasm with no configuration', async () => {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ root: join(HARNESS, 'vite'), base: '/vite/', logLevel: 'warn', build: { outDir: join(HARNESS, 'dist-vite'), emptyOutDir: true } });
  const assets = readdirSync(join(HARNESS, 'dist-vite/assets'));
  assert.ok(assets.some((n) => n.endsWith('.wasm')), assets.join(', '));
  assert.ok(assets.some((n) => n.startsWith('snapshot-worker')), assets.join(', '));
  await checkWithoutHarness('/vite/');
});
