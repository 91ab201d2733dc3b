// The TypeScript types (lib/*.d.ts, and pkg/snapshot_wasm.d.ts emitted by wasm-bindgen) compile
// for a consumer in strict mode, as the manager UI would use them.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { WWW, ensureWasmBuilt } from './support/env.mjs';

test('a strict TypeScript consumer of the client and the raw module type-checks', () => {
  ensureWasmBuilt();
  const tsc = join(WWW, 'node_modules/.bin/tsc');
  const r = spawnSync(tsc, ['-p', join(WWW, 'tests/types/tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
