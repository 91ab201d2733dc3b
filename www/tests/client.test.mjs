// The main-thread client (lib/snapshot-client.js) in Chromium: cancelling a job whose worker does
// not respond terminates that worker within the grace period, and the next call gets a fresh one.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPage, usePageEnvironment } from './support/env.mjs';

const env = usePageEnvironment();

test('a worker that ignores cancel is terminated and replaced', async (t) => {
  const page = await newPage(env.browser);
  t.after(() => page.close());
  await page.goto(`${env.server.url}tests/support/probe.html`);
  await page.waitForSelector('body[data-ready="true"]');
  const r = await page.evaluate(async () => {
    const { SnapshotChecker } = await import('/lib/snapshot-client.js');
    let workers = 0;
    const checker = await SnapshotChecker.create({
      createWorker: () => {
        workers += 1;
        return new Worker('/tests/support/stubborn-worker.js', { type: 'module' });
      },
    });
    const controller = new AbortController();
    let progress = 0;
    const job = checker.sha256(new Blob(['x']), { signal: controller.signal, onProgress: () => { progress += 1; } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = performance.now();
    controller.abort();
    const error = await job.then(() => null, (e) => e.name);
    const ms = performance.now() - t0;
    const before = workers;
    // The main worker was not affected; the hash worker restarts on demand.
    const codes = await checker.codes();
    const again = checker.sha256(new Blob(['y']));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = workers;
    checker.dispose();
    const disposed = await again.then(() => null, (e) => e.name);
    return { error, ms, progress, before, after, codes, disposed };
  });
  assert.equal(r.error, 'AbortError');
  assert.ok(r.ms >= 250 && r.ms < 500, `cancelled after ${r.ms} ms`);
  assert.ok(r.progress > 0, 'progress was delivered');
  assert.equal(r.before, 2, 'two workers at start');
  assert.equal(r.after, 3, 'one replacement worker');
  assert.deepEqual(r.codes, [{ runs: 0 }]);
  assert.equal(r.disposed, 'AbortError');
});
