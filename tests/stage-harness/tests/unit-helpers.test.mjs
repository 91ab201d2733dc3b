// The React entry's framework-free helpers, from the installed package (no browser). Runs after
// stage.test.mjs, which installs the freshly packed tarball.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canUpload, contentDigest, snapshotIdProblem, suggestSnapshotId } from '../node_modules/snapshot-verify-browser/react/helpers.js';

test('contentDigest gives the RFC 9530 sha-256 value', () => {
  const bytes = Buffer.from('snapshot');
  const hex = createHash('sha256').update(bytes).digest('hex');
  const b64 = createHash('sha256').update(bytes).digest('base64');
  assert.equal(contentDigest(hex), `sha-256=:${b64}:`);
  assert.equal(contentDigest(hex.toUpperCase()), `sha-256=:${b64}:`);
  assert.throws(() => contentDigest('abc'), TypeError);
  assert.throws(() => contentDigest(`${hex}00`), TypeError);
});

test('canUpload: a report without errors', () => {
  const report = (verdict, errors) => ({ verdict, summary: { errors, warnings: 0 } });
  assert.equal(canUpload(report('pass', 0)), true);
  assert.equal(canUpload(report('pass-with-warnings', 0)), true);
  assert.equal(canUpload(report('fail', 1)), false);
  assert.equal(canUpload(report('pass', 1)), false);
  assert.equal(canUpload(null), false);
  assert.equal(canUpload(undefined), false);
});

test("snapshot IDs follow Cloudify's rules", () => {
  assert.equal(snapshotIdProblem('snap-2024.12_01'), null);
  assert.equal(snapshotIdProblem('a'.repeat(256)), null);
  assert.match(snapshotIdProblem(''), /Enter/);
  assert.match(snapshotIdProblem('a'.repeat(257)), /257/);
  assert.match(snapshotIdProblem('1snap'), /start with a letter/);
  assert.match(snapshotIdProblem('my snap/1'), /space, “\/”/);
  assert.equal(suggestSnapshotId('My snap (2).zip'), 'My_snap_2');
  assert.equal(suggestSnapshotId('2024-backup.zip'), 'snapshot_2024-backup');
  assert.equal(suggestSnapshotId('https://host/path/manager-snap.zip?X-Amz-Signature=1'), 'manager-snap');
  assert.equal(snapshotIdProblem(suggestSnapshotId('émoji 🎉.zip')), null);
});
