// Node-only tests (no browser): the dialog's pure helpers and the dev server's endpoints.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { formatBytes, formatBytesExact, formatDecimal, formatDuration, formatRate } from '../app/format.js';
import { archivePath, suggestSnapshotId, validateSnapshotId } from '../app/snapshot-id.js';
import { hexToBase64 } from '../lib/snapshot-client.js';
import { ensureWasmBuilt, startServer } from './support/env.mjs';

describe('snapshot name rules', () => {
  test('valid names', () => {
    for (const id of ['a', 'Z', 'snap-1', 'snap_2024.11.26', `a${'b'.repeat(255)}`]) assert.equal(validateSnapshotId(id), null, id);
  });

  test('invalid names say what is wrong', () => {
    assert.match(validateSnapshotId(''), /Enter a snapshot name/);
    assert.match(validateSnapshotId('1snap'), /start with a letter/);
    assert.match(validateSnapshotId('_snap'), /start with a letter/);
    assert.match(validateSnapshotId('my snap'), /remove space/);
    assert.match(validateSnapshotId('a/b?c'), /remove “\/”, “\?”/);
    assert.match(validateSnapshotId('ünï'), /start with a letter/);
    assert.match(validateSnapshotId('snäp'), /remove “ä”/);
    assert.match(validateSnapshotId(`a${'b'.repeat(256)}`), /257 characters long/);
  });

  test('suggestions from file names are valid', () => {
    assert.equal(suggestSnapshotId('snap-5.1.0-dev-legacy.zip'), 'snap-5.1.0-dev-legacy');
    assert.equal(suggestSnapshotId('My snap (2).ZIP'), 'My_snap_2');
    assert.equal(suggestSnapshotId('2024-11-26.zip'), 'snapshot_2024-11-26');
    assert.equal(suggestSnapshotId('.zip'), 'snapshot');
    for (const name of ['ä.zip', '((((.zip', `${'x'.repeat(400)}.zip`]) assert.equal(validateSnapshotId(suggestSnapshotId(name)), null, name);
  });

  test('the archive path URL-encodes the ID', () => {
    assert.equal(archivePath('snap-1.2_3'), '/api/v3.1/snapshots/snap-1.2_3/archive');
    assert.equal(archivePath('a b/c'), '/api/v3.1/snapshots/a%20b%2Fc/archive');
  });
});

describe('formatting', () => {
  test('sizes, rates and durations', () => {
    assert.equal(formatBytes(0), '0 bytes');
    assert.equal(formatBytes(1), '1 byte');
    assert.equal(formatBytes(59296), '57.9 KiB');
    assert.equal(formatBytes(5e9), '4.66 GiB');
    assert.equal(formatBytesExact(59296), '57.9 KiB (59,296 bytes)');
    assert.equal(formatDecimal(2e9), '2 GB');
    assert.equal(formatRate(312.4e6), '312 MB/s');
    assert.equal(formatRate(0), '— MB/s');
    assert.equal(formatDuration(0.12), '120 ms');
    assert.equal(formatDuration(3.2), '4 s');
    assert.equal(formatDuration(125), '2 min 05 s');
    assert.equal(formatDuration(3720), '1 h 02 min');
  });

  test('hex digest to base64 for Content-Digest', () => {
    const data = Buffer.from('snapshot');
    const hex = createHash('sha256').update(data).digest('hex');
    assert.equal(hexToBase64(hex), createHash('sha256').update(data).digest('base64'));
  });
});

describe('dev server', () => {
  let server;
  before(async () => {
    ensureWasmBuilt();
    server = await startServer();
  });
  after(() => server?.close());

  const put = (id, body, headers = {}) => fetch(`${server.url}api/v3.1/snapshots/${encodeURIComponent(id)}/archive`, { method: 'PUT', body, headers });
  const digest = (body) => `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;

  test('binds 127.0.0.1', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test('serves the page, modules and wasm with the right MIME types', async () => {
    for (const [path, type] of [['', 'text/html'], ['app/main.js', 'text/javascript'], ['style.css', 'text/css'], ['pkg/snapshot_wasm_bg.wasm', 'application/wasm']]) {
      const r = await fetch(server.url + path);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type'), new RegExp(`^${type}`), path);
      assert.equal(r.headers.get('cross-origin-opener-policy'), null);
    }
    assert.equal((await fetch(`${server.url}nope.js`)).status, 404);
    assert.notEqual((await fetch(`${server.url}..%2f..%2fCargo.toml`)).status, 200);
  });

  test('PUT with the right digest stores the body: 201 {id, size, sha256, digest_ok: true}', async () => {
    const body = Buffer.alloc(3 << 20, 0x5a);
    const r = await put('snap-1', body, { 'Content-Digest': digest(body) });
    assert.equal(r.status, 201);
    assert.deepEqual(await r.json(), { id: 'snap-1', size: body.length, sha256: createHash('sha256').update(body).digest('hex'), digest_ok: true });
    const got = await (await fetch(`${server.url}api/v3.1/snapshots/snap-1`)).json();
    assert.equal(got.size, body.length);
  });

  test('PUT with a wrong digest is refused with 400 and digest_ok: false', async () => {
    const r = await put('snap-2', Buffer.from('abc'), { 'Content-Digest': digest(Buffer.from('abd')) });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).digest_ok, false);
    assert.equal((await fetch(`${server.url}api/v3.1/snapshots/snap-2`)).status, 404);
  });

  test('PUT without a digest is stored with digest_ok: null; bad IDs are refused', async () => {
    const r = await put('snap-3', Buffer.from('abc'));
    assert.equal(r.status, 201);
    assert.equal((await r.json()).digest_ok, null);
    assert.equal((await put('3snap', Buffer.from('x'))).status, 400);
    assert.equal((await put('snap-4', Buffer.from('x'), { 'Content-Digest': 'md5=:abc:' })).status, 400);
  });
});
