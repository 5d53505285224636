/**
 * The web dashboard's static files (packages/dashboard/build, made by `npm run build`), served at
 * `/`, `/favicon.svg` and `/assets/*`. Files are read once and kept in memory with a gzipped copy
 * (the whole dashboard is a few hundred KiB). Hashed assets are cached forever; index.html is
 * revalidated on every load so a new build is picked up at once.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RequestError } from '../http/errors.js';

/** Where the dashboard's build lands; the same path from src/api and dist/api. */
export const DASHBOARD_DIR = new URL('../../../dashboard/build/', import.meta.url).pathname;

/**
 * Only the dashboard's own files may run or style the page, and it may only talk to this server:
 * a label value that slipped into HTML could still not load or run anything. Inline styles are
 * allowed (never scripts): the PromQL editor (CodeMirror) injects its stylesheet at run time.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

interface StaticFile {
  readonly body: Buffer;
  readonly gzip: Buffer | null;
  readonly type: string;
  readonly cache: string;
  readonly etag: string;
}

/** The dashboard's files by URL path, or null when it was not built. */
export function loadDashboard(dir: string = DASHBOARD_DIR): Map<string, StaticFile> | null {
  if (!existsSync(join(dir, 'index.html'))) return null;
  const files = new Map<string, StaticFile>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
        continue;
      }
      const type = TYPES[extname(e.name)];
      if (type === undefined) continue;
      const path = `/${relative(dir, p).split('\\').join('/')}`;
      const body = readFileSync(p);
      const gz = type.startsWith('image/png') || type.startsWith('font/') ? null : gzipSync(body);
      const hashed = path.startsWith('/assets/');
      files.set(path, {
        body,
        gzip: gz !== null && gz.length < body.length ? gz : null,
        type,
        cache: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        etag: `"${body.length.toString(16)}-${simpleHash(body)}"`,
      });
    }
  };
  walk(dir);
  return files;
}

function simpleHash(b: Buffer): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return (h >>> 0).toString(16);
}

/** Sends one dashboard file with its type, caching and security headers; 404 when it is unknown. */
export function sendStatic(
  files: ReadonlyMap<string, StaticFile>,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const f = files.get(path);
  if (f === undefined) throw new RequestError('not_found', `cannot GET ${path}: no such dashboard file`);
  const headers: Record<string, string | number> = {
    'content-type': f.type,
    'cache-control': f.cache,
    etag: f.etag,
    vary: 'accept-encoding',
    'x-content-type-options': 'nosniff',
  };
  if (f.type.startsWith('text/html')) {
    headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    headers['referrer-policy'] = 'no-referrer';
    headers['x-frame-options'] = 'DENY';
  }
  if (req.headers['if-none-match'] === f.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = f.gzip !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? f.gzip! : f.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
