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
//   GET  /api/v3.1/snapshots/:id             200 {id, size, sha256} once uploaded, else 404
// Binds 127.0.0.1 only. No COOP/COEP headers: the page does not need cross-origin isolation.

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

// Uploaded files are removed on exit unless KEEP_UPLOADS=1.
const stop = async () => {
  server.close();
  server.closeAllConnections();
  if (process.env.KEEP_UPLOADS !== '1') await fsp.rm(UPLOADS, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
