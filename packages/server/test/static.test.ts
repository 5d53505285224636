/**
 * The dashboard's static files: types, caching (hashed assets forever, index.html revalidated),
 * ETags, gzip, and the Content-Security-Policy on the page. Served from a temporary build.
 */

import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONTENT_SECURITY_POLICY, loadDashboard, sendStatic } from '../src/api/static.js';
import { tempDir } from './support/server.js';

describe('dashboard static files', () => {
  let dir = '';
  let server: Server;
  let base = '';
  const js = `export const x = ${JSON.stringify('a'.repeat(4000))};\n`;

  before(async () => {
    dir = tempDir('tinyobs-static-');
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, 'assets', 'app-ABC123.js'), js);
    writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'notes.txt'), 'not a served type');
    const files = loadDashboard(dir)!;
    server = createServer((req, res) => {
      try {
        sendStatic(files, req.url === '/' ? '/index.html' : req.url!, req, res);
      } catch (err) {
        res.writeHead((err as { status?: number }).status ?? 500).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is null when the dashboard was not built', () => {
    assert.equal(loadDashboard(join(dir, 'missing')), null);
  });

  it('serves the page with its type, no-cache and the security headers', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await res.text(), '<!doctype html><title>t</title>');
  });

  it('caches hashed assets forever and gzips them for clients that accept it', async () => {
    const res = await fetch(`${base}/assets/app-ABC123.js`);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(await res.text(), js);
    const plain = await fetch(`${base}/assets/app-ABC123.js`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(Number(plain.headers.get('content-length')), Buffer.byteLength(js));
  });

  it('answers a matching ETag with 304 and no body', async () => {
    const first = await fetch(`${base}/favicon.svg`);
    assert.equal(first.headers.get('content-type'), 'image/svg+xml');
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${base}/favicon.svg`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  it('knows only the files of the build with a served type', async () => {
    assert.equal((await fetch(`${base}/notes.txt`)).status, 404);
    assert.equal((await fetch(`${base}/assets/app-OTHER.js`)).status, 404);
  });
});
