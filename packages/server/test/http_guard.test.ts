/**
 * Keys, Host and Origin checks, CORS and request timeouts, at the HTTP level against a real
 * server: every registered route is tried with no key, a wrong key, the other kind of key and the
 * right one.
 */

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDashboard } from '../src/api/static.js';
import { encodeWriteRequestV1 } from '../src/ingest/remotewrite/encode.js';
import { compressSnappy } from '../src/ingest/remotewrite/snappy.js';
import { startTestServer, type TestServer, tempDir } from './support/server.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request through node:http (fetch may not set Host); reads at most 64 KiB of the answer. */
function call(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        // A streaming route never ends; its status and first bytes are enough here.
        if (body.length > 65_536) res.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const basic = (key: string) => ({
  authorization: `Basic ${Buffer.from(`grafana:${key}`).toString('base64')}`,
});

const INGEST_BODY = JSON.stringify({ metrics: [{ name: 'keyed_total', type: 'counter', value: 1 }] });
/** Parameters that make every read route of the API answer 200. */
const QUERY = '?query=1&metric=up&match[]=up&start=0&end=60&step=15';

/** Each push protocol's smallest valid request: path suffix, headers and body. */
const PUSHES: Readonly<
  Record<string, { path?: string; headers: Record<string, string>; body: string | Buffer }>
> = {
  '/v1/ingest': { headers: { 'content-type': 'application/json' }, body: INGEST_BODY },
  '/api/v1/write': {
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    body: compressSnappy(encodeWriteRequestV1([], [])),
  },
  '/v1/metrics': { headers: { 'content-type': 'application/json' }, body: '{"resourceMetrics":[]}' },
  '/write': { headers: { 'content-type': 'text/plain' }, body: 'keyed_influx value=1' },
  '/api/v2/write': { headers: { 'content-type': 'text/plain' }, body: 'keyed_influx value=1' },
  '/metrics/*': {
    path: '/metrics/job/keyed',
    headers: { 'content-type': 'text/plain; version=0.0.4' },
    body: 'keyed_push 1\n',
  },
  '/v1/import': { headers: { 'content-type': 'application/json' }, body: '{"metrics":[]}' },
};

/** A request that the route should answer with 2xx when the key is right. */
function exampleFor(
  methods: readonly string[],
  pattern: string,
  base: string,
): { method: string; url: string; headers: Record<string, string>; body?: string | Buffer } {
  // The dashboard's assets route needs a file of the build (npm test builds it first).
  const asset = [...(loadDashboard()?.keys() ?? [])].find((p) => p.startsWith('/assets/'));
  const path =
    pattern === '/assets/:file' && asset !== undefined
      ? asset
      : pattern.replace(/:[a-z]+/g, 'job').replace('*', 'x');
  if (methods.includes('GET')) return { method: 'GET', url: `${base}${path}${QUERY}`, headers: {} };
  const push = PUSHES[pattern];
  if (push !== undefined)
    return {
      method: methods.includes('POST') ? 'POST' : methods[0]!,
      url: `${base}${push.path ?? path}`,
      headers: push.headers,
      body: push.body,
    };
  return {
    method: methods[0]!,
    url: `${base}${path}`,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '1' }),
  };
}

describe('API keys', () => {
  let server: TestServer;
  before(async () => {
    const dir = tempDir('tinyobs-keys-');
    const readKeyFile = join(dir, 'read-keys');
    writeFileSync(readKeyFile, '# read keys\nr-key-from-file\n\n');
    server = await startTestServer({
      writeKeys: ['w-key-1', 'w-key-2'],
      readKeys: ['r-key'],
      readKeyFiles: [readKeyFile],
    });
  });
  after(() => server.stop());

  it('has push routes needing the write key, health probes open, and every other route the read key', () => {
    const byAccess = (a: string) => server.routes.filter((r) => r.access === a).map((r) => r.pattern);
    assert.deepEqual(byAccess('write').sort(), [...Object.keys(PUSHES), '/-/reload'].sort());
    assert.deepEqual(byAccess('public').sort(), ['/-/healthy', '/-/ready', '/v1/health']);
    assert.ok(byAccess('read').includes('/api/v1/query'));
    assert.ok(byAccess('read').includes('/metrics'));
  });

  it('answers 401 without a key, with a wrong key and with the other kind of key, on every route', async () => {
    for (const route of server.routes) {
      if (route.access === 'public') continue;
      const ex = exampleFor(route.methods, route.pattern, server.url);
      const other = route.access === 'write' ? 'r-key' : 'w-key-1';
      const what = `${ex.method} ${route.pattern}`;
      for (const auth of [
        {},
        bearer('nope'),
        bearer(other),
        basic('nope'),
        // An unknown scheme, and Influx 2's Token scheme with the other kind of key.
        { authorization: 'Digest r-key' },
        { authorization: `Token ${other}` },
      ]) {
        const res = await call(ex.url, { ...ex, headers: { ...ex.headers, ...auth } });
        assert.equal(res.status, 401, `${what} with ${JSON.stringify(auth)}: ${res.body}`);
        const message = (JSON.parse(res.body) as { message: string }).message;
        const flag = route.access === 'write' ? '--write-key' : '--read-key';
        assert.ok(message.includes(flag), `${what}: ${message}`);
        if (route.access === 'read')
          assert.match(String(res.headers['www-authenticate']), /^Basic realm="tinyobs"/);
      }
    }
  });

  it('answers 2xx with the right key, as a Bearer token or a basic-auth password, on every route', async () => {
    for (const route of server.routes) {
      const ex = exampleFor(route.methods, route.pattern, server.url);
      const keys =
        route.access === 'write'
          ? ['w-key-1', 'w-key-2']
          : route.access === 'read'
            ? ['r-key', 'r-key-from-file']
            : [];
      for (const key of keys) {
        for (const auth of [bearer(key), basic(key)]) {
          const res = await call(ex.url, { ...ex, headers: { ...ex.headers, ...auth } });
          // 204 where the protocol answers without a body (remote write, Influx).
          assert.ok(
            res.status === 200 || res.status === 204,
            `${ex.method} ${route.pattern} with ${JSON.stringify(auth)}: ${res.status} ${res.body}`,
          );
        }
      }
      if (route.access === 'public') assert.equal((await call(ex.url)).status, 200);
    }
    const metrics = await call(`${server.url}/metrics`, { headers: bearer('r-key') });
    assert.match(metrics.body, /^keyed_total 1$/m);
  });
});

describe('Host, Origin and CORS', () => {
  let server: TestServer;
  let open: TestServer;
  before(async () => {
    server = await startTestServer({ allowedHosts: ['metrics.internal', '*.svc.example'] });
    open = await startTestServer({ corsOrigins: ['http://dash.example:3000'] });
  });
  after(async () => {
    await server.stop();
    await open.stop();
  });

  it('refuses a foreign Host (DNS rebinding) with 403 on reads and pushes, but not on health probes', async () => {
    const host = { host: 'attacker.example:8080' };
    for (const path of ['/api/v1/query?query=1', '/metrics', '/v1/stats']) {
      const res = await call(`${server.url}${path}`, { headers: host });
      assert.equal(res.status, 403, path);
      assert.match(
        res.body,
        /cannot serve Host \\"attacker\.example:8080\\": not a name this server answers to/,
      );
    }
    const push = await call(`${server.url}/v1/ingest`, {
      method: 'POST',
      headers: { ...host, 'content-type': 'application/json' },
      body: INGEST_BODY,
    });
    assert.equal(push.status, 403);
    assert.equal((await call(`${server.url}/-/ready`, { headers: host })).status, 200);
  });

  it('answers loopback names, the bound address and --allowed-hosts', async () => {
    const port = new URL(server.url).port;
    for (const h of [
      'localhost',
      '127.0.0.1',
      'app.localhost',
      'metrics.internal',
      'a.svc.example',
      'METRICS.internal.',
    ]) {
      const res = await call(`${server.url}/api/v1/query?query=1`, { headers: { host: `${h}:${port}` } });
      assert.equal(res.status, 200, h);
    }
  });

  it('sends no CORS headers without --cors-origin', async () => {
    const res = await call(`${server.url}/api/v1/query?query=1`, {
      headers: { origin: 'http://dash.example:3000' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const pre = await call(`${server.url}/v1/ingest`, {
      method: 'OPTIONS',
      headers: { origin: 'http://dash.example:3000', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    assert.notEqual(pre.status, 204);
  });

  it('answers the preflight of a --cors-origin and lets it push, but no other origin', async () => {
    const origin = 'http://dash.example:3000';
    const pre = await call(`${open.url}/v1/ingest`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], origin);
    assert.match(String(pre.headers['access-control-allow-headers']), /authorization, content-type/);
    const push = await call(`${open.url}/v1/ingest`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: INGEST_BODY,
    });
    assert.equal(push.status, 200, push.body);
    assert.equal(push.headers['access-control-allow-origin'], origin);
    const foreign = await call(`${open.url}/v1/ingest`, {
      method: 'POST',
      headers: { origin: 'http://dash.example:4000', 'content-type': 'application/json' },
      body: INGEST_BODY,
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
  });
});

describe('request timeouts', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ headerTimeoutMs: 500, bodyTimeoutMs: 1000, idleTimeoutMs: 500 });
  });
  after(() => server.stop());

  /** Opens a connection, writes `text`, and resolves with what the server sent and when it closed. */
  function slowClient(text: string): Promise<{ received: string; ms: number }> {
    const { hostname, port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const begin = Date.now();
      const socket = connect(Number(port), hostname, () => socket.write(text));
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        received += d;
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ received, ms: Date.now() - begin }));
      // The test fails rather than hangs if the server never cuts the client off.
      setTimeout(() => socket.destroy(), 20_000).unref();
    });
  }

  it('cuts off a client that sends its body too slowly (408), and stores nothing of it', async () => {
    const body = INGEST_BODY.replace('keyed_total', 'slow_total');
    const r = await slowClient(
      `POST /v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    assert.match(r.received, /^HTTP\/1\.1 408 /);
    assert.ok(r.ms < 15_000, `closed after ${r.ms} ms`);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.doesNotMatch(text, /slow_total/);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const r = await slowClient('GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.match(r.received, /^HTTP\/1\.1 408 /);
    assert.ok(r.ms < 15_000, `closed after ${r.ms} ms`);
  });

  it('closes an idle keep-alive connection', async () => {
    const r = await slowClient('GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.match(r.received, /^HTTP\/1\.1 200 /);
    assert.ok(r.ms < 15_000, `closed after ${r.ms} ms`);
  });
});
