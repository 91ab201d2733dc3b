// Harness setup: pack the package (scripts/build-npm.sh), install the tarball into node_modules,
// type-check and build with webpack, make the fixtures, start the server and Chromium.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HARNESS = fileURLToPath(new URL('../', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const TARBALL = join(REPO, 'npm/snapshot-verify-browser.tgz');
export const WORK = join(tmpdir(), 'snapshot-stage-harness');
const MAKE_ZIPS = join(REPO, 'www/tests/support/make_zips.py');

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];

const log = (text) => process.stderr.write(`stage-harness: ${text}\n`);

/** What the tarball is made from. */
const PACKAGE_SOURCES = [
  'snapshot-core/src', 'snapshot-wasm/src', 'snapshot-wasm/Cargo.toml', 'snapshot-core/Cargo.toml', 'Cargo.toml', 'Cargo.lock',
  '.cargo', 'www/lib', 'npm/src', 'npm/package.json', 'npm/README.md', 'scripts/build-npm.sh', 'scripts/build-wasm.sh',
];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Whether the tarball is newer than everything it is made from (e.g. packed by setup.sh in this run). */
function tarballFresh() {
  if (!existsSync(TARBALL)) return false;
  const built = statSync(TARBALL).mtimeMs;
  return PACKAGE_SOURCES.every((p) => newestMtime(join(REPO, p)) < built);
}

/**
 * Packs the package from a clean build (scripts/build-npm.sh) unless the tarball is newer than its
 * sources (HARNESS_PACK=1 always packs, HARNESS_PACK=0 never when a tarball exists), then installs
 * it into node_modules/snapshot-verify-browser as npm does for a tarball without dependencies.
 * (package.json names the same tarball as a file: dependency for `npm ci`; its hash changes with
 * every build, so the lock does not pin it.)
 */
export function packAndInstall() {
  const mode = process.env.HARNESS_PACK ?? 'auto';
  const pack = !existsSync(TARBALL) || mode === '1' || (mode !== '0' && !tarballFresh());
  if (!pack) log('using npm/snapshot-verify-browser.tgz (newer than its sources; HARNESS_PACK=1 repacks)');
  else {
    const t0 = Date.now();
    execFileSync(join(REPO, 'scripts/build-npm.sh'), { stdio: ['ignore', process.stderr, process.stderr] });
    log(`packed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const target = join(HARNESS, 'node_modules/snapshot-verify-browser');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', TARBALL, '-C', target, '--strip-components=1']);
}

/** The fixtures: a good snapshot (fully written, deflated), one with a CRC error, a sparse 1 GB one. */
export function fixtures() {
  const dir = join(WORK, 'archives');
  mkdirSync(dir, { recursive: true });
  const good = join(dir, 'good-snapshot.zip');
  if (!existsSync(good)) execFileSync('python3', [MAKE_ZIPS, 'deflated', good, '3e6']);
  const broken = join(WORK, 'broken');
  if (!existsSync(join(broken, 'py-crc-mismatch.zip'))) execFileSync('python3', [MAKE_ZIPS, 'broken', broken]);
  const big = join(WORK, 'big-1e9.zip');
  if (!existsSync(big)) execFileSync('python3', [MAKE_ZIPS, 'big', big, '1e9', '200']);
  return { dir, good, crc: join(broken, 'py-crc-mismatch.zip'), big };
}

export function sha256Of(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup.sh`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A page that records what the main thread posts to workers, what they answer, and terminations,
 * so the tests can see the cancel path (window.workerLog).
 */
export async function newPage(browser) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.errors = [];
  // Nothing leaves this machine: every request not for the harness server is refused.
  await page.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
  page.on('pageerror', (err) => page.errors.push(String(err)));
  page.on('console', (msg) => {
    // A 404 from the existing-snapshot lookup is an answer, not an error.
    const lookup = /\/sp\/snapshots\/[^/]+$/.test(msg.location()?.url ?? '');
    if (msg.type() === 'error' && !lookup) page.errors.push(msg.text());
  });
  await page.addInitScript(() => {
    const entries = [];
    window.workerLog = entries;
    const post = Worker.prototype.postMessage;
    const seen = new WeakSet();
    Worker.prototype.postMessage = function patched(msg, ...rest) {
      if (!seen.has(this)) {
        seen.add(this);
        this.addEventListener('message', ({ data }) => entries.push({ dir: 'in', type: data?.type, op: data?.op, t: performance.now() }));
      }
      entries.push({ dir: 'out', type: msg?.type, t: performance.now() });
      return post.call(this, msg, ...rest);
    };
    const terminate = Worker.prototype.terminate;
    Worker.prototype.terminate = function patched() {
      entries.push({ dir: 'terminate', t: performance.now() });
      return terminate.call(this);
    };
  });
  return page;
}
