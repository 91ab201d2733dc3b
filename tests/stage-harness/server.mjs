// The harness server (no dependencies; 127.0.0.1 only): the built page, semantic-ui's CSS, and a
// stand-in for the manager API behind Stage's proxy (/sp/...):
//   PUT /sp/snapshots/:id/archive                  raw body: streamed while hashed; the SHA-256 must
//                                                  equal `Content-Digest: sha-256=:<b64>:` (400 if the
//                                                  header is missing or differs), 201 {id, size, sha256}
//   PUT /sp/snapshots/:id/archive?snapshot_archive_url=URL   no body: 201 {id, url}
//   GET /sp/snapshots/:id                         200 once uploaded in this run, else 404
//   GET /archives/<name>                           a fixture, with Range and CORS (for URL checks)
//   GET /norange/<name>                            the same with CORS but without Range support
//   GET /plain.html, /package/...                 the installed package, unbundled
//   GET /vite/...                                  the Vite build (dist-vite/)
//   GET /__log                                     what the endpoints received, for the tests
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = resolve(HERE, 'dist');
const CSS = resolve(HERE, 'node_modules/semantic-ui-css');
const PACKAGE = resolve(HERE, 'node_modules/snapshot-verify-browser');
const VITE_DIST = resolve(HERE, 'dist-vite');
const ID_RULE = /^[A-Za-z][A-Za-z0-9_.-]{0,255}$/;
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.zip': 'application/zip', '.woff2': 'font/woff2', '.woff': 'font/woff', '.png': 'image/png' };

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stage harness: upload snapshot</title>
<link rel="stylesheet" href="/semantic/semantic.min.css"></head>
<body><div id="root"></div><script src="/main.js"></script></body></html>`;

/** The package used without a bundler: a plain module script importing the client by path. */
const PLAIN = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>snapshot-verify-browser without a bundler</title></head>
<body><input type="file" id="file">
<script type="module">
  import { SnapshotChecker } from '/package/lib/snapshot-client.js';
  window.plain = { SnapshotChecker };
</script></body></html>`;

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function digestFromHeader(header) {
  const m = /(?:^|,)\s*sha-256\s*=\s*:([A-Za-z0-9+/=]+):/i.exec(header ?? '');
  return m ? Buffer.from(m[1], 'base64').toString('hex') : null;
}

async function putArchive(req, res, id, query, log) {
  if (!ID_RULE.test(id)) return send(res, 400, { message: `invalid snapshot id ${JSON.stringify(id)}` });
  const url = query.get('snapshot_archive_url');
  if (url) {
    req.resume();
    log.push({ id, url, tenant: req.headers.tenant ?? null });
    return send(res, 201, { id, url });
  }
  const expected = digestFromHeader(req.headers['content-digest']);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of req) {
    hash.update(chunk);
    size += chunk.length;
  }
  const sha256 = hash.digest('hex');
  const entry = { id, size, sha256, expected, digest_ok: expected === sha256, tenant: req.headers.tenant ?? null, type: req.headers['content-type'] ?? null };
  log.push(entry);
  // A moment before answering, so the page shows the finished upload's progress bar.
  await new Promise((r) => setTimeout(r, 300));
  if (!expected) return send(res, 400, { message: 'the upload has no Content-Digest sha-256' });
  if (!entry.digest_ok) return send(res, 400, { message: 'Content-Digest does not match the uploaded bytes' });
  return send(res, 201, { id, size, sha256 });
}

async function serveFile(req, res, root, rel, { ranges = false, cors = false } = {}) {
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep)) return send(res, 403, 'forbidden');
  const stat = await fsp.stat(file).catch(() => null);
  if (!stat?.isFile()) return send(res, 404, 'not found');
  const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
  if (ranges) headers.etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  if (cors) Object.assign(headers, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-expose-headers': 'content-range, content-length, accept-ranges, etag' });
  if (ranges) headers['accept-ranges'] = 'bytes';
  const m = ranges ? /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '') : null;
  if (m && (m[1] || m[2])) {
    let start = m[1] ? Number(m[1]) : Math.max(0, stat.size - Number(m[2]));
    let end = m[1] && m[2] ? Math.min(Number(m[2]), stat.size - 1) : stat.size - 1;
    if (start >= stat.size || start > end) return send(res, 416, 'range not satisfiable', { ...headers, 'content-range': `bytes */${stat.size}` });
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${stat.size}`, 'content-length': end - start + 1 });
    if (req.method === 'HEAD') return res.end();
    return createReadStream(file, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, 'content-length': stat.size });
  if (req.method === 'HEAD') return res.end();
  return createReadStream(file).pipe(res);
}

/** semantic-ui's CSS without its @import of a web font service: the page stays on this machine. */
async function serveCss(res) {
  const css = (await fsp.readFile(join(CSS, 'semantic.min.css'), 'utf8')).replace(/@import url\([^)]*\);?/g, '');
  res.writeHead(200, { 'content-type': 'text/css', 'content-length': Buffer.byteLength(css) });
  res.end(css);
}

/** Starts the server on a free port; `archives` is the folder served under /archives/. */
export function startServer({ archives }) {
  const log = [];
  const server = createServer(async (req, res) => {
    try {
      const { pathname, searchParams } = new URL(req.url, 'http://127.0.0.1');
      if (req.method === 'OPTIONS') return send(res, 204, '', { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'range', 'access-control-allow-methods': 'GET, HEAD' });
      const archive = /^\/sp\/snapshots\/([^/]+)\/archive$/.exec(pathname);
      if (archive) {
        if (req.method !== 'PUT') return send(res, 405, { message: 'use PUT' });
        return await putArchive(req, res, decodeURIComponent(archive[1]), searchParams, log);
      }
      const snapshot = /^\/sp\/snapshots\/([^/]+)$/.exec(pathname);
      if (snapshot && req.method === 'GET') {
        const id = decodeURIComponent(snapshot[1]);
        const stored = log.find((e) => e.id === id && (e.digest_ok || e.url));
        return stored ? send(res, 200, { id, status: 'uploaded' }) : send(res, 404, { message: `Requested snapshot \`${id}\` was not found` });
      }
      if (pathname === '/__log') return send(res, 200, log);
      if (pathname === '/' || pathname === '/index.html') return send(res, 200, PAGE);
      if (pathname === '/vite/') return await serveFile(req, res, VITE_DIST, 'index.html');
      if (pathname.startsWith('/vite/')) return await serveFile(req, res, VITE_DIST, decodeURIComponent(pathname.slice('/vite/'.length)));
      if (pathname === '/plain.html') return send(res, 200, PLAIN);
      if (pathname.startsWith('/package/')) return await serveFile(req, res, PACKAGE, decodeURIComponent(pathname.slice('/package/'.length)));
      if (pathname === '/favicon.ico') return send(res, 204, '');
      if (pathname === '/semantic/semantic.min.css') return await serveCss(res);
      if (pathname.startsWith('/semantic/')) return await serveFile(req, res, CSS, decodeURIComponent(pathname.slice('/semantic/'.length)));
      if (pathname.startsWith('/norange/')) return await serveFile(req, res, resolve(archives), decodeURIComponent(pathname.slice('/norange/'.length)), { cors: true });
      if (pathname.startsWith('/archives/')) return await serveFile(req, res, resolve(archives), decodeURIComponent(pathname.slice('/archives/'.length)), { ranges: true, cors: true });
      return await serveFile(req, res, DIST, decodeURIComponent(pathname.slice(1)));
    } catch (err) {
      if (!res.headersSent) send(res, 500, { message: String(err?.message ?? err) });
      else res.destroy();
    }
  });
  server.requestTimeout = 0;
  return new Promise((resolveStart) => {
    server.listen(0, '127.0.0.1', () => {
      resolveStart({ url: `http://127.0.0.1:${server.address().port}`, log, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
