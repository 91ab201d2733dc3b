#!/usr/bin/env node
// Dev server for the upload dialog (no dependencies): serves www/ and a local stand-in for the
// manager's snapshot upload endpoint, so the whole flow runs on one machine.
//
//   node scripts/serve.mjs            # PORT=8080 by default; PORT=0 picks a free port
//
// Endpoints:
//   GET  /...                                static files from www/
//   PUT  /api/v3.1/snapshots/:id/archive     streams the body to a temp dir, computes its SHA-256,
//                                            compares it with `Content-Digest: sha-256=:<b64>:`
//                                            (RFC 9530); 201 {id, size, sha256, digest_ok},
//                                            400 with the same body when the digest differs
//   PUT  /api/v3.1/snapshots/:id/archive?snapshot_archive_url=URL
//                                            upload by URL (what the manager does with it is to
//                                            fetch it; this stand-in only records it): 201 {id, url}
//   GET  /api/v3.1/snapshots/:id             200 {id, size, sha256} once uploaded, else 404
// Binds 127.0.0.1 only. No COOP/COEP headers: the page does not need cross-origin isolation.
//
// With ARCHIVES=DIR, a second server (another port, so another origin: ARCHIVE_PORT, by default
// a free one) serves the .zip files of DIR for the URL checks:
//   GET|HEAD /archives/NAME           Range (206, Content-Range, ETag) and CORS
//                                     (Access-Control-Allow-Origin: *, exposed Content-Range, ETag)
//   GET|HEAD /archives-nocors/NAME    Range, no CORS headers (the page may not read it)
//   GET|HEAD /archives-norange/NAME   CORS, but every GET gets the whole file with 200
//   GET|HEAD /archives-changing/NAME  as /archives/, but the ETag changes with every response
// It prints `archives on http://127.0.0.1:PORT/`.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, promises as fsp } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../www/', import.meta.url)));
const UPLOADS = mkdtempSync(join(tmpdir(), 'snapshot-uploads-'));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.zip': 'application/zip',
};

/** Snapshots uploaded while this server runs: id → {id, size, sha256}. */
const uploaded = new Map();

const ID_RULE = /^[A-Za-z][A-Za-z0-9_.-]{0,255}$/;

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Parses `sha-256=:<base64>:` out of a Content-Digest header (other algorithms ignored). */
function digestFromHeader(header) {
  if (!header) return null;
  const match = /(?:^|,)\s*sha-256\s*=\s*:([A-Za-z0-9+/=]+):/i.exec(header);
  return match ? Buffer.from(match[1], 'base64').toString('hex') : undefined;
}

async function putArchive(req, res, id) {
  if (!ID_RULE.test(id)) {
    return send(res, 400, { message: 'snapshot id must be 1–256 letters, digits, _ . -, starting with a letter' });
  }
  const expected = digestFromHeader(req.headers['content-digest']);
  if (expected === undefined) return send(res, 400, { message: 'Content-Digest has no sha-256 value' });
  const path = join(UPLOADS, `${id}.zip`);
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(path);
  try {
    // Stream to disk while hashing: the body is never held in memory.
    for await (const chunk of req) {
      hash.update(chunk);
      size += chunk.length;
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
    }
    await new Promise((r, j) => out.end((err) => (err ? j(err) : r())));
  } catch (err) {
    out.destroy();
    await fsp.rm(path, { force: true });
    return send(res, 400, { message: `upload interrupted: ${err.message}` });
  }
  const sha256 = hash.digest('hex');
  const digestOk = expected === null ? null : expected === sha256;
  const body = { id, size, sha256, digest_ok: digestOk };
  if (digestOk === false) {
    await fsp.rm(path, { force: true });
    return send(res, 400, { ...body, message: 'Content-Digest does not match the uploaded bytes' });
  }
  uploaded.set(id, { id, size, sha256 });
  console.log(`stored ${id}: ${size} bytes, sha256 ${sha256}, digest ${digestOk === null ? 'not sent' : 'ok'}`);
  return send(res, 201, body);
}

/** Upload by URL: recorded, not fetched (the real manager downloads it). */
function putArchiveUrl(req, res, id, url) {
  req.resume();
  if (!ID_RULE.test(id)) {
    return send(res, 400, { message: 'snapshot id must be 1–256 letters, digits, _ . -, starting with a letter' });
  }
  if (!/^https?:\/\//i.test(url)) return send(res, 400, { message: 'snapshot_archive_url must be an http(s) URL' });
  uploaded.set(id, { id, url });
  console.log(`recorded ${id}: by URL ${url}`);
  return send(res, 201, { id, url });
}

async function serveStatic(req, res, pathname) {
  let rel = decodeURIComponent(pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(ROOT, rel));
  if (file !== ROOT && !file.startsWith(ROOT + sep)) return send(res, 403, 'forbidden');
  let stat;
  try {
    stat = await fsp.stat(file);
  } catch {
    return send(res, 404, 'not found');
  }
  if (stat.isDirectory()) return send(res, 301, 'moved', { Location: `${pathname}/` });
  res.writeHead(200, {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

const server = createServer(async (req, res) => {
  try {
    const { pathname } = new URL(req.url, 'http://localhost');
    const archive = /^\/api\/v3\.1\/snapshots\/([^/]+)\/archive$/.exec(pathname);
    if (archive) {
      if (req.method !== 'PUT') return send(res, 405, 'use PUT', { Allow: 'PUT' });
      const byUrl = new URL(req.url, 'http://localhost').searchParams.get('snapshot_archive_url');
      if (byUrl !== null) return putArchiveUrl(req, res, decodeURIComponent(archive[1]), byUrl);
      return await putArchive(req, res, decodeURIComponent(archive[1]));
    }
    const snapshot = /^\/api\/v3\.1\/snapshots\/([^/]+)$/.exec(pathname);
    if (snapshot) {
      const found = uploaded.get(decodeURIComponent(snapshot[1]));
      return found ? send(res, 200, found) : send(res, 404, { message: 'not found' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    return await serveStatic(req, res, pathname);
  } catch (err) {
    if (!res.headersSent) send(res, 500, String(err?.message ?? err));
    else res.destroy();
  }
});

// Large uploads take long on slow links: no request timeout.
server.requestTimeout = 0;
server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  const { port } = server.address();
  if (!existsSync(join(ROOT, 'pkg/snapshot_wasm_bg.wasm'))) {
    console.error('warning: www/pkg is missing; build the module first with scripts/build-wasm.sh');
  }
  console.log(`serving on http://127.0.0.1:${port}/`);
  console.log(`uploads go to ${UPLOADS}`);
});

// The archive server for URL checks (a second origin), when ARCHIVES is set.
const ARCHIVES = process.env.ARCHIVES ? resolve(process.env.ARCHIVES) : null;
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Accept-Ranges',
};

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` → [start, end] inclusive, or null (one range only). */
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start;
  let end;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? [start, end] : 'unsatisfiable';
}

/** Bytes of archive bodies sent, by path kind (GET /_stats on the archive server; for tests). */
const sent = { archives: 0, 'archives-nocors': 0, 'archives-norange': 0, 'archives-changing': 0 };
let changes = 0;

async function serveArchive(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/_stats') return send(res, 200, { sent }, CORS_HEADERS);
  const m = /^\/(archives|archives-nocors|archives-norange|archives-changing)\/([^/]+\.zip)$/.exec(pathname);
  if (!m) return send(res, 404, 'not found');
  const [, kind, name] = m;
  const cors = kind === 'archives-nocors' ? {} : CORS_HEADERS;
  if (req.method === 'OPTIONS') {
    if (kind === 'archives-nocors') return send(res, 403, 'no CORS here');
    res.writeHead(204, { ...cors, 'Access-Control-Allow-Headers': 'Range, If-Match', 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Max-Age': '600' });
    return res.end();
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', cors);
  const file = join(ARCHIVES, decodeURIComponent(name));
  let stat;
  try {
    stat = await fsp.stat(file);
  } catch {
    return send(res, 404, 'not found', cors);
  }
  let etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  if (kind === 'archives-changing') etag = `"v${++changes}"`;
  const base = { ...cors, 'Content-Type': 'application/zip', ETag: etag, 'Cache-Control': 'no-store' };
  const range = kind === 'archives-norange' ? null : parseRange(req.headers.range, stat.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...base, 'Content-Range': `bytes */${stat.size}` });
    return res.end();
  }
  if (range) {
    const [start, end] = range;
    res.writeHead(206, { ...base, 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${end}/${stat.size}`, 'Content-Length': end - start + 1 });
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(file, { start, end });
    stream.on('data', (chunk) => { sent[kind] += chunk.length; });
    return stream.pipe(res);
  }
  res.writeHead(200, { ...base, ...(kind === 'archives-norange' ? {} : { 'Accept-Ranges': 'bytes' }), 'Content-Length': stat.size });
  if (req.method === 'HEAD') return res.end();
  // A client that gives up (the URL check does on a 200) closes the connection: stop reading.
  const stream = createReadStream(file, { highWaterMark: 64 << 10 });
  stream.on('data', (chunk) => { sent[kind] += chunk.length; });
  res.on('close', () => stream.destroy());
  return stream.pipe(res);
}

let archiveServer = null;
if (ARCHIVES) {
  archiveServer = createServer((req, res) => {
    serveArchive(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, String(err?.message ?? err));
      else res.destroy();
    });
  });
  archiveServer.listen(Number(process.env.ARCHIVE_PORT ?? 0), '127.0.0.1', () => {
    console.log(`archives on http://127.0.0.1:${archiveServer.address().port}/ (from ${ARCHIVES})`);
  });
}

// Uploaded files are removed on exit unless KEEP_UPLOADS=1.
const stop = async () => {
  server.close();
  server.closeAllConnections();
  archiveServer?.close();
  archiveServer?.closeAllConnections();
  if (process.env.KEEP_UPLOADS !== '1') await fsp.rm(UPLOADS, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
