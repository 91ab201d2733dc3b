// Shared setup of the browser tests and the benchmark: build the wasm when stale, start the dev
// server, launch Debian's Chromium through playwright-core (never a downloaded browser), and
// make the fixtures.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const WWW = fileURLToPath(new URL('../../', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * The real Cloudify fixtures: `SNAPSHOT_VERIFY_FIXTURES` (as for scripts/report-identity.sh; a
 * git worktree is not next to `shared/`), else `../shared/fixtures/real` next to the repository.
 */
export const REAL_FIXTURES = process.env.SNAPSHOT_VERIFY_FIXTURES
  ? join(process.env.SNAPSHOT_VERIFY_FIXTURES, '/')
  : fileURLToPath(new URL('../../../../shared/fixtures/real/', import.meta.url));
export const WORK = join(tmpdir(), 'snapshot-www-tests');
const MAKE_ZIPS = fileURLToPath(new URL('./make_zips.py', import.meta.url));

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether www/pkg holds a module built with the test hooks (the `testing` feature). */
function hasTestHooks() {
  const glue = join(WWW, 'pkg/snapshot_wasm.js');
  return existsSync(glue) && readFileSync(glue, 'utf8').includes('debug_panic');
}

/**
 * Runs `scripts/build-wasm.sh --testing` when www/pkg is missing, older than the Rust sources,
 * or a release build without the test hooks the tests use (debug_panic, BlobProbe, the page's
 * metrics).
 */
export function ensureWasmBuilt() {
  const wasm = join(WWW, 'pkg/snapshot_wasm_bg.wasm');
  const sources = Math.max(
    newestMtime(join(REPO, 'snapshot-wasm/src')),
    newestMtime(join(REPO, 'snapshot-core/src')),
    statSync(join(REPO, 'Cargo.lock')).mtimeMs,
  );
  const fresh = existsSync(wasm) && statSync(wasm).mtimeMs >= sources && hasTestHooks();
  if (fresh && process.env.WASM_REBUILD !== '1') return;
  process.stderr.write('building the wasm module with its test hooks (scripts/build-wasm.sh --testing)…\n');
  execFileSync(join(REPO, 'scripts/build-wasm.sh'), ['--testing'], { stdio: ['ignore', process.stderr, process.stderr] });
}

/**
 * Starts scripts/serve.mjs on a free port. With `archives` (a folder of .zip files), its archive
 * server too, on another free port (another origin): `archivesUrl` is its root.
 */
export async function startServer({ archives } = {}) {
  const child = spawn(process.execPath, [join(REPO, 'scripts/serve.mjs')], {
    env: { ...process.env, PORT: '0', ...(archives ? { ARCHIVES: archives, ARCHIVE_PORT: '0' } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let archivesUrl;
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /serving on (http:\/\/\S+)/.exec(out);
      const a = /archives on (http:\/\/\S+)/.exec(out);
      if (a) archivesUrl = a[1];
      if (m && (!archives || a)) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
  child.stdout.resume();
  return {
    url,
    archivesUrl,
    close: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

/** Launches headless Chromium. Playwright gives every launch a fresh temporary user-data-dir. */
export function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A new page with console errors collected into `page.errors`. */
export async function newPage(browser, { width = 1440, height = 900 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.errors.push(msg.text());
  });
  return page;
}

/**
 * Whether missing test inputs are failures: `SNAPSHOT_VERIFY_REQUIRE_FIXTURES=1`, set by
 * scripts/test.sh (and so by CI). Without it, developers get notices and the tests run on what
 * is there.
 */
export const REQUIRE_FIXTURES = !['', '0'].includes(process.env.SNAPSHOT_VERIFY_REQUIRE_FIXTURES ?? '');

/**
 * A missing input or tool the tests can do without: a notice (see `notice`), or, under
 * `SNAPSHOT_VERIFY_REQUIRE_FIXTURES`, an error thrown (the test or hook fails).
 */
export function missing(t, text) {
  if (REQUIRE_FIXTURES) throw new Error(`${text} (SNAPSHOT_VERIFY_REQUIRE_FIXTURES is set: this is a failure)`);
  if (t) notice(t, text);
  else process.stderr.write(`NOTICE: ${text}\n`);
}

/** Real fixtures as absolute paths, or [] when ../shared is not there (see `missing`). */
export function realFixtures() {
  if (!existsSync(REAL_FIXTURES)) {
    if (REQUIRE_FIXTURES) missing(null, `real fixtures not found at ${REAL_FIXTURES}`);
    return [];
  }
  return readdirSync(REAL_FIXTURES).filter((f) => f.endsWith('.zip')).sort().map((f) => join(REAL_FIXTURES, f));
}

/**
 * Generated fixtures: the tests crate's `gen-fixtures` output when that binary exists, plus the
 * Python-made broken archives (always, so the expectations below have stable inputs).
 * Returns {rust: [paths], python: [paths], notice}. A failed or missing generator is a notice,
 * or, under `SNAPSHOT_VERIFY_REQUIRE_FIXTURES`, an error thrown.
 */
export function generatedFixtures() {
  const dir = join(WORK, 'generated');
  mkdirSync(dir, { recursive: true });
  const py = join(dir, 'python');
  execFileSync('python3', [MAKE_ZIPS, 'broken', py]);
  const python = readdirSync(py).filter((f) => f.endsWith('.zip')).sort().map((f) => join(py, f));
  let rust = [];
  let notice = null;
  if (existsSync(join(REPO, 'tests/src/bin/gen-fixtures.rs'))) {
    const out = join(dir, 'rust');
    try {
      execFileSync('cargo', ['run', '-q', '-p', 'snapshot-tests', '--bin', 'gen-fixtures', '--', out], {
        cwd: REPO,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      rust = listZips(out);
    } catch (err) {
      notice = `gen-fixtures failed (${String(err.stderr ?? err.message).trim().split('\n').pop()}); using the Python fixtures only`;
    }
  } else {
    notice = 'the tests crate has no gen-fixtures binary yet; using the Python fixtures only';
  }
  if (notice && REQUIRE_FIXTURES) missing(null, notice);
  return { rust, python, notice };
}

function listZips(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listZips(path));
    else if (entry.name.endsWith('.zip')) found.push(path);
  }
  return found.sort();
}

/** A sparse ZIP64 snapshot of about `size` bytes with `entries` small entries (cached). */
export function bigFixture(size = 5e9, entries = 10000) {
  mkdirSync(WORK, { recursive: true });
  const path = join(WORK, `big-${size}-${entries}.zip`);
  if (!existsSync(path)) execFileSync('python3', [MAKE_ZIPS, 'big', path, String(size), String(entries)]);
  return path;
}

/**
 * A sparse ZIP64 snapshot whose last member is exactly `huge` zero bytes, so that its declared
 * sizes (and the directory offset after it) sit at a chosen value such as 2^32 - 1, 2^32 or
 * 2^32 + 1: the wasm32 build (32-bit `usize`) must read them as the 64-bit CLI does.
 */
export function exactFixture(huge, entries = 10) {
  mkdirSync(WORK, { recursive: true });
  const path = join(WORK, `exact-${huge}-${entries}.zip`);
  if (!existsSync(path)) execFileSync('python3', [MAKE_ZIPS, 'exact', path, String(huge), String(entries)]);
  return path;
}

/** Prints a notice that node's test runner shows with the results. */
export function notice(t, text) {
  t.diagnostic(text);
  process.stderr.write(`NOTICE: ${text}\n`);
}

/**
 * Registers `before`/`after` hooks that build the wasm if stale, start the dev server and launch
 * Chromium for the calling test file; returns an object whose `server` and `browser` are set
 * once the hooks have run.
 */
export function usePageEnvironment() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    ensureWasmBuilt();
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
