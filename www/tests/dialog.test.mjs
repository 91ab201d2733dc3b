// End to end on the upload dialog in headless Chromium: real and generated fixtures, drag and
// drop, the snapshot name rules, a 5 GB sparse ZIP64 archive (quick check under a second with
// flat memory, cancel within half a second), the SHA-256, and the upload with a Content-Digest.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  REAL_FIXTURES, bigFixture, generatedFixtures, missing, newPage, realFixtures, usePageEnvironment,
} from './support/env.mjs';

const MiB = 2 ** 20;

const env = usePageEnvironment();

/** A new page with the dialog open and the verifier ready. */
async function loadDialog(size) {
  const page = await newPage(env.browser, size);
  await page.goto(env.server.url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** A fresh page with the dialog open and the verifier ready, closed when test `t` ends. */
async function openDialog(t, size) {
  const page = await loadDialog(size);
  t.after(() => page.close());
  return page;
}

/**
 * One dialog shared by the tests of a suite, as a user checks one file after another: choosing
 * the next file resets the dialog, and a page start (about half a second, most of each fixture's
 * time) is saved per test. `open()` gives the page with its errors cleared; a test that did not
 * call `passed()` leaves it to be replaced, so one failure cannot spill into the next test.
 */
function sharedDialog() {
  let page = null;
  let clean = false;
  after(() => page?.close());
  return {
    async open() {
      if (!clean) {
        await page?.close();
        page = await loadDialog();
      }
      clean = false;
      page.errors.length = 0;
      return page;
    },
    passed() {
      clean = true;
    },
  };
}

/** Chooses `path` and waits for the quick report. */
async function choose(page, path) {
  await page.setInputFiles('#file-input', path);
  await page.waitForFunction(() => window.snapshotDialog.quick || !document.getElementById('read-error').hidden);
  return page.evaluate(() => window.snapshotDialog.quick);
}

/** Waits until SHA-256 and full verification have both ended (done, failed or cancelled). */
async function waitChecks(page, timeout = 60_000) {
  await page.waitForFunction(() => ['hash-row', 'verify-row'].every((id) => ['done', 'failed', 'cancelled'].includes(document.getElementById(id).dataset.state)), null, { timeout });
  return page.evaluate(() => window.snapshotDialog.full);
}

const text = (page, selector) => page.locator(selector).innerText();
const codesShown = (page) => page.locator('#findings [data-code]').evaluateAll((els) => els.map((e) => e.dataset.code));
const uploadEnabled = (page) => page.locator('#upload-button').isEnabled();

/** Page errors other than the expected 404 of the "does this ID exist" check. */
const realErrors = (page) => page.errors.filter((e) => !/status of 404/.test(e));

/** What the dialog shows now, read in one go, with the report it shows (quick, or full once done). */
function shown(page) {
  return page.evaluate(() => {
    const level = document.getElementById('results').dataset.level;
    const all = (sel, attr) => [...document.querySelectorAll(sel)].map((e) => e.dataset[attr]);
    return {
      level,
      report: level === 'full' ? window.snapshotDialog.full : window.snapshotDialog.quick,
      tone: document.getElementById('verdict').dataset.tone,
      verdict: document.getElementById('verdict').innerText,
      codes: all('#findings [data-code]', 'code'),
      kinds: all('#security [data-kind]', 'kind'),
      explanations: document.querySelectorAll('#findings .finding .explain').length,
    };
  });
}

/** Asserts that the dialog shows its report faithfully; returns what it shows. */
async function assertShows(page) {
  const view = await shown(page);
  const { report } = view;
  const tone = { pass: 'pass', 'pass-with-warnings': 'warn', fail: 'fail' }[report.verdict];
  assert.equal(view.tone, tone);
  assert.deepEqual(view.codes.sort(), report.findings.map((f) => f.code).sort());
  if (report.snapshot.era) assert.match(view.verdict, new RegExp(`era ${report.snapshot.era.id}\\b`));
  if (report.snapshot.snapshot_version) assert.ok(view.verdict.includes(`version ${report.snapshot.snapshot_version}`), view.verdict);
  assert.deepEqual(view.kinds.sort(), [...new Set(report.security.items.map((i) => i.kind))].sort());
  // Explanations from the catalogue accompany every finding.
  assert.equal(view.explanations, report.findings.length);
  return view;
}

describe('real fixtures', () => {
  const fixtures = realFixtures();

  test('are present', (t) => {
    if (!fixtures.length) missing(t, `real fixtures not found at ${REAL_FIXTURES}: skipping them`);
  });

  for (const path of fixtures) {
    test(basename(path), async (t) => {
      const page = await openDialog(t);
      await choose(page, path);
      await assertShows(page);
      const full = await waitChecks(page);
      assert.ok(full, 'full verification finished');
      assert.equal((await assertShows(page)).level, 'full');
      if (basename(path) === 'snap-5.1.0-dev-legacy.zip') {
        assert.match(await text(page, '#verdict'), /era L5\b/);
        assert.match(await text(page, '#preview'), /Snapshot version\s+5\.1\.0/);
        assert.match(await text(page, '#preview'), /Era\s+L5/);
        assert.equal(full.summary.errors, 0);
        assert.ok(await uploadEnabled(page), 'upload enabled for a snapshot without errors');
      }
      if (basename(path) === 'empty.zip') {
        assert.ok((await codesShown(page)).includes('not-a-snapshot'));
        assert.match(await text(page, '#verdict-title'), /not a restorable Cloudify snapshot/);
        assert.ok(!(await uploadEnabled(page)), 'upload disabled');
        assert.match(await text(page, '#upload-hint'), /has errors/);
      }
      assert.deepEqual(realErrors(page), []);
      });
  }
});

describe('generated fixtures', () => {
  const generated = generatedFixtures();
  // What the Python-made archives must show, from the quick check and after full verification.
  const expect = {
    'py-good-7.0.4.zip': { quick: [], full: [], upload: true },
    'py-truncated.zip': { quick: ['truncated'] },
    'py-not-a-zip.zip': { quick: ['not-a-zip'] },
    'py-no-metadata.zip': { quick: ['not-a-snapshot'] },
    'py-traversal.zip': { quick: ['path-traversal'] },
    'py-crc-mismatch.zip': { quick: [], full: ['crc-mismatch'] },
    'py-newer-7.1.0.zip': { version: '7.1.0' },
  };

  test('generator', (t) => {
    if (generated.notice) missing(t, generated.notice);
    assert.ok(generated.python.length >= Object.keys(expect).length);
  });

  const dialog = sharedDialog();
  for (const path of [...generated.python, ...generated.rust]) {
    const name = basename(path);
    test(`${generated.rust.includes(path) ? 'gen-fixtures' : 'python'}: ${name}`, async () => {
      const page = await dialog.open();
      const quick = await choose(page, path);
      await assertShows(page);
      const e = expect[name];
      const errorCodes = (r) => r.findings.filter((f) => f.severity === 'error').map((f) => f.code);
      if (e?.quick) for (const code of e.quick) assert.ok(errorCodes(quick).includes(code), `${code} in ${errorCodes(quick)}`);
      if (e?.quick?.length === 0) assert.deepEqual(errorCodes(quick), []);
      if (e?.version) assert.equal(quick.snapshot.snapshot_version, e.version);
      const full = await waitChecks(page);
      await assertShows(page);
      if (e?.full) {
        for (const code of e.full) assert.ok(errorCodes(full).includes(code), `${code} after full verification`);
        if (e.full.length === 0) assert.deepEqual(errorCodes(full), []);
      }
      const errors = errorCodes(full ?? quick);
      assert.equal(await uploadEnabled(page), errors.length === 0, `upload enabled iff no errors (${errors})`);
      if (e?.upload) assert.ok(await uploadEnabled(page));
      assert.deepEqual(realErrors(page), []);
      dialog.passed();
    });
  }
});

describe('dialog behaviour', () => {
  const legacy = realFixtures().find((p) => p.endsWith('snap-5.1.0-dev-legacy.zip'));

  test('drag and drop a file onto the drop zone', async (t) => {
    const page = await openDialog(t);
    const path = legacy ?? generatedFixtures().python.find((p) => p.endsWith('py-good-7.0.4.zip'));
    const bytes = [...readFileSync(path)];
    const dataTransfer = await page.evaluateHandle(([b, name]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(b)], name, { type: 'application/zip' }));
      return dt;
    }, [bytes, basename(path)]);
    await page.dispatchEvent('#drop-zone', 'dragenter', { dataTransfer });
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    await page.waitForFunction(() => window.snapshotDialog.quick);
    assert.match(await text(page, '#file-summary'), new RegExp(basename(path).replaceAll('.', '\\.')));
    if (legacy) assert.match(await text(page, '#verdict'), /era L5\b.*|version 5\.1\.0/s);
  });

  test('target settings: on Kubernetes, 7.0.4 refuses a legacy snapshot that a single host restores', async (t) => {
    const generated = generatedFixtures();
    const l6 = generated.rust.find((p) => basename(p) === 'era-L6-6.4.0.zip');
    if (!l6) {
      missing(t, generated.notice ?? 'gen-fixtures wrote no era-L6-6.4.0.zip');
      return;
    }
    const page = await openDialog(t);
    await page.fill('#target-version', '7.0.4');
    const quick = await choose(page, l6);
    assert.equal(quick.snapshot.compatibility.target.restorable, true);
    assert.equal(await page.locator('#target-runtime').inputValue(), 'single-host');
    assert.match(await text(page, '#compatibility'), /Restorable on Cloudify Manager 7\.0\.4 \(premium, single host\)/);
    await page.selectOption('#target-runtime', 'kubernetes');
    await page.waitForFunction(() => window.snapshotDialog.quick?.settings.runtime === 'kubernetes');
    const k8s = await page.evaluate(() => window.snapshotDialog.quick);
    const target = k8s.snapshot.compatibility.target;
    assert.deepEqual([target.runtime, target.outcome, target.restorable], ['kubernetes', 'refused', false]);
    assert.ok(k8s.findings.some((f) => f.code === 'target-runtime-refuses-legacy'));
    await page.waitForSelector('#compatibility [data-restorable="false"]');
    assert.match(await text(page, '#compatibility'), /Not restorable on Cloudify Manager 7\.0\.4 \(premium, Kubernetes\)/);
    assert.match(await text(page, '#compatibility'), /distributed manager/);
    assert.deepEqual(realErrors(page), []);
  });

  test('keyboard: focus starts on the file button, which opens the picker; Escape closes when idle', async (t) => {
    const page = await openDialog(t);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'choose-file');
    // Record that Enter opens the picker (the hidden input's click()) rather than waiting for
    // the browser's file-chooser event, which a loaded machine delivers late or not at all.
    await page.evaluate(() => {
      window.__pickerOpened = 0;
      const click = HTMLInputElement.prototype.click;
      HTMLInputElement.prototype.click = function () {
        if (this.type === 'file') window.__pickerOpened += 1;
        else click.call(this);
      };
    });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => window.__pickerOpened), 1);
    // Then the URL option (its field and its Check URL button), then the name.
    for (const id of ['snapshot-url', 'check-url', 'snapshot-id']) {
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.id), id);
    }
    assert.equal(await page.getAttribute('#snapshot-id', 'aria-describedby'), 'snapshot-id-hint snapshot-id-error snapshot-id-exists');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.getElementById('upload-dialog').open), false);
  });

  test('snapshot name rules: 1–256 of letters, digits, _ . -, starting with a letter', async (t) => {
    const page = await openDialog(t);
    await choose(page, generatedFixtures().python.find((p) => p.endsWith('py-good-7.0.4.zip')));
    await waitChecks(page);
    assert.equal(await page.inputValue('#snapshot-id'), 'py-good-7.0.4');
    const cases = [
      ['', /Enter a snapshot name/],
      ['7snap', /must start with a letter/],
      ['my snap', /remove space/],
      ['snap/1', /remove “\/”/],
      ['a'.repeat(257), /257 characters long; the limit is 256/],
    ];
    for (const [value, message] of cases) {
      await page.fill('#snapshot-id', value);
      assert.match(await text(page, '#snapshot-id-error'), message);
      assert.equal(await page.getAttribute('#snapshot-id', 'aria-invalid'), 'true');
      assert.ok(!(await uploadEnabled(page)), `upload disabled for ${JSON.stringify(value)}`);
    }
    for (const value of ['a', 'Snap_2024.11-26', `x${'y'.repeat(255)}`]) {
      await page.fill('#snapshot-id', value);
      assert.equal(await page.getAttribute('#snapshot-id', 'aria-invalid'), 'false');
      assert.ok(await uploadEnabled(page), `upload enabled for ${value.slice(0, 20)}`);
    }
  });

  test('the SHA-256 shown equals the file\'s digest', async (t) => {
    const path = bigFixture(300e6, 100);
    const expected = await sha256File(path);
    const page = await openDialog(t);
    await choose(page, path);
    await waitChecks(page);
    assert.equal(await text(page, '#sha256-value code'), expected);
    t.diagnostic(`SHA-256 row: ${await text(page, '#hash-row .progress-text')}`);
    assert.match(await text(page, '#hash-row .progress-text'), /^Done · 286.1 MiB in .*/);
  });
});

describe('a 5 GB (4.66 GiB) sparse ZIP64 snapshot', () => {
  test('quick check in under a second with flat memory; size warning; cancel within 0.5 s', async (t) => {
    const path = bigFixture(5e9, 10000);
    const page = await openDialog(t);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    };
    const heapBefore = await heap();
    const quick = await choose(page, path);
    const { inspectMs } = await page.evaluate(() => window.snapshotDialog.metrics);
    assert.ok(quick.archive.zip64, 'ZIP64');
    assert.equal(quick.archive.entries, 10_005);
    assert.ok(quick.file.size > 4.5 * 2 ** 30);
    assert.ok(inspectMs < 1000, `quick check took ${inspectMs} ms`);
    assert.match(await text(page, '#preview'), /ZIP64/);
    assert.match(await text(page, '#size-warning'), /over the console's upload limit of 2 GB/);

    // Let the hash and the verification run a little, then cancel both.
    await page.waitForFunction(() => /%/.test(document.querySelector('#hash-row .progress-text').textContent)
      && window.snapshotDialog.metrics.maxWasmMemory > 0);
    await page.waitForTimeout(1500);
    await page.click('#cancel-checks');
    await page.waitForFunction(() => window.snapshotDialog.metrics.cancelMs !== null, null, { timeout: 5000 });
    const metrics = await page.evaluate(() => window.snapshotDialog.metrics);
    assert.ok(metrics.cancelMs < 500, `cancel took ${metrics.cancelMs} ms`);
    assert.equal(await text(page, '#hash-row .progress-text'), 'Cancelled');
    assert.equal(await text(page, '#verify-row .progress-text'), 'Cancelled');
    assert.ok(await page.locator('#restart-checks').isVisible());
    assert.ok(!(await uploadEnabled(page)));

    const heapAfter = await heap();
    t.diagnostic(`quick check ${Math.round(inspectMs)} ms; cancel ${Math.round(metrics.cancelMs)} ms; wasm memory ${metrics.maxWasmMemory / MiB} MiB; main-thread heap ${((heapAfter - heapBefore) / MiB).toFixed(2)} MiB growth`);
    assert.ok(metrics.maxWasmMemory <= 64 * MiB, `wasm memory ${metrics.maxWasmMemory}`);
    assert.ok(heapAfter - heapBefore < 16 * MiB, `main-thread JS heap grew by ${heapAfter - heapBefore} bytes`);
    assert.deepEqual(realErrors(page), []);
  });
});

describe('upload', () => {
  test('PUT with Content-Digest to the local endpoint; the server confirms the digest', async (t) => {
    const path = realFixtures().find((p) => p.endsWith('snap-5.1.0-dev-legacy.zip'))
      ?? generatedFixtures().python.find((p) => p.endsWith('py-good-7.0.4.zip'));
    const page = await openDialog(t);
    await choose(page, path);
    await waitChecks(page);
    const id = `upload_${Date.now()}.test-1`;
    await page.fill('#snapshot-id', id);
    await page.click('#upload-button');
    await page.waitForSelector('#upload-result[data-digest-ok]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('#upload-result', 'data-digest-ok'), 'true');
    assert.match(await text(page, '#upload-result'), /checked the SHA-256 digest: it matches/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'upload-result');
    const stored = await (await fetch(`${env.server.url}api/v3.1/snapshots/${encodeURIComponent(id)}`)).json();
    assert.equal(stored.sha256, await sha256File(path));
    assert.equal(stored.size, readFileSync(path).length);
    assert.match(await text(page, '#snapshot-rows'), new RegExp(id.replaceAll('.', '\\.')));
    // The name is now taken: the dialog warns that another upload would replace it.
    await page.fill('#snapshot-id', `${id}x`);
    await page.fill('#snapshot-id', id);
    await page.waitForSelector('#snapshot-id-exists:not([hidden])');
    assert.deepEqual(realErrors(page), []);
  });
});

function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('data', (c) => hash.update(c)).on('end', () => resolve(hash.digest('hex'))).on('error', reject);
  });
}
