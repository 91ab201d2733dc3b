// A screenshot of the dialog with a loaded snapshot, for the README: docs/screenshot-dialog.png.
// Taken after the SHA-256 and full verification finished, in a window tall enough to show the
// verdict, the checks and the details (on a laptop screen the dialog body scrolls).
// The picture changes with every run (timings, file dates), so docs/ is written only when the
// file is missing or UPDATE_SCREENSHOT=1; otherwise it goes to the temporary work folder.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { REPO, WORK, generatedFixtures, newPage, realFixtures, usePageEnvironment } from './support/env.mjs';

const DOCS = join(REPO, 'docs/screenshot-dialog.png');
const OUT = process.env.UPDATE_SCREENSHOT === '1' || !existsSync(DOCS) ? DOCS : join(WORK, 'screenshot-dialog.png');

const env = usePageEnvironment();

test('screenshot of the dialog with a loaded snapshot', async (t) => {
  const generated = generatedFixtures();
  const path = realFixtures().find((p) => p.endsWith('snap-5.1.0-dev-legacy.zip'))
    ?? generated.rust.find((p) => basename(p) === 'era-N1-7.0.4.zip')
    ?? generated.python.find((p) => p.endsWith('py-good-7.0.4.zip'));
  const page = await newPage(env.browser, { width: 1440, height: 1280 });
  t.after(() => page.close());
  await page.goto(env.server.url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.setInputFiles('#file-input', path);
  await page.waitForFunction(() => ['hash-row', 'verify-row'].every((id) => document.getElementById(id).dataset.state === 'done'), null, { timeout: 60_000 });
  await page.fill('#snapshot-id', 'nightly-2024-11-26');
  // No caret or focus ring in the picture.
  await page.evaluate(() => document.activeElement?.blur());
  mkdirSync(join(OUT, '..'), { recursive: true });
  await page.screenshot({ path: OUT, animations: 'disabled' });
  assert.ok(statSync(OUT).size > 50_000);
  t.diagnostic(`wrote ${OUT} from ${basename(path)}`);
});
