// One suite that the node:http, Express and Fastify adapters must all pass with identical series.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import Fastify from 'fastify';
import { expressMetrics } from '../src/express.js';
import { fastifyMetrics } from '../src/fastify.js';
import { instrumentHandler, setRoute } from '../src/http.js';
import { createTinyObs, type MetricPoint, type TinyObs } from '../src/index.js';

interface App {
  url: string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The same application written three times: GET /users/:id, POST /users, GET /boom (500),
// GET /slow (30 ms), GET /api/orders/:orderId (nested router), everything else 404.
const adapters: Record<string, (obs: TinyObs) => Promise<App>> = {
  async 'node:http'(obs) {
    const server = http.createServer(
      instrumentHandler(
        obs,
        (req, res) => {
          const path = (req.url ?? '/').split('?')[0]!;
          if (req.method === 'GET' && /^\/users\/[^/]+$/.test(path)) return void res.end('user');
          if (req.method === 'POST' && path === '/users') {
            res.statusCode = 201;
            return void res.end('created');
          }
          if (req.method === 'GET' && path === '/boom') {
            res.statusCode = 500;
            return void res.end('boom');
          }
          if (req.method === 'GET' && path === '/slow') return void sleep(30).then(() => res.end('slow'));
          if (req.method === 'GET' && /^\/api\/orders\/[^/]+$/.test(path)) {
            setRoute(req, '/api/orders/:orderId');
            return void res.end('order');
          }
          res.statusCode = 404;
          res.end('not found');
        },
        { routes: ['GET /users/:id', 'POST /users', 'GET /boom', 'GET /slow'] },
      ),
    );
    return listen(server);
  },
  async express(obs) {
    const app = express();
    app.use(expressMetrics(obs));
    app.get('/users/:id', (_req, res) => void res.send('user'));
    app.post('/users', (_req, res) => void res.status(201).send('created'));
    app.get('/boom', (_req, res) => void res.status(500).send('boom'));
    app.get('/slow', async (_req, res) => {
      await sleep(30);
      res.send('slow');
    });
    const orders = express.Router();
    orders.get('/:orderId', (_req, res) => void res.send('order'));
    app.use('/api/orders', orders);
    return listen(http.createServer(app));
  },
  async fastify(obs) {
    const app = Fastify();
    await app.register(fastifyMetrics(obs));
    app.get('/users/:id', async () => 'user');
    app.post('/users', async (_req, reply) => reply.code(201).send('created'));
    app.get('/boom', async (_req, reply) => reply.code(500).send('boom'));
    app.get('/slow', async () => {
      await sleep(30);
      return 'slow';
    });
    await app.register(
      async (sub) => {
        sub.get('/:orderId', async () => 'order');
      },
      { prefix: '/api/orders' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },
};

async function listen(server: http.Server): Promise<App> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const REQUESTS: [string, string][] = [
  ['GET', '/users/1'],
  ['GET', '/users/2?x=1'],
  ['GET', '/users/3'],
  ['POST', '/users'],
  ['GET', '/boom'],
  ['GET', '/slow'],
  ['GET', '/api/orders/77'],
  ['GET', '/no/such/path/123'],
  ['DELETE', '/users/1'],
];

async function run(name: string): Promise<MetricPoint[]> {
  const obs = createTinyObs({
    service: 'conformance',
    endpoint: 'http://127.0.0.1:9/v1/ingest',
    instance: false,
    flushIntervalMs: 0,
    shutdownOnExit: false,
    onWarning: () => {},
  });
  const app = await adapters[name]!(obs);
  try {
    for (const [method, path] of REQUESTS) {
      const res = await fetch(app.url + path, { method });
      await res.arrayBuffer();
    }
    // The response may reach the client a moment before the server's 'finish'/onResponse:
    // wait until every request is counted (or give up after 5 s and let the asserts report).
    const deadline = Date.now() + 5_000;
    for (;;) {
      const points = await obs.collect();
      const counted = points.filter((p) => p.name === 'http_requests_total').reduce((a, p) => a + p.value, 0);
      if (counted >= REQUESTS.length || Date.now() > deadline) return points;
      await sleep(10);
    }
  } finally {
    await app.close();
    // Nothing listens on port 9: the last push is refused by the network, which this test ignores.
    await obs.shutdown({ timeoutMs: 1 }).catch(() => {});
  }
}

// Series identity and counts; durations differ run to run, so `_sum` is left out and buckets
// are compared only for the +Inf bucket (which equals the count).
function normalise(points: MetricPoint[]): string[] {
  return points
    .filter((p) => p.name.startsWith('http_') && p.name !== 'http_request_duration_seconds_sum')
    .filter((p) => p.name !== 'http_request_duration_seconds_bucket' || p.labels.le === '+Inf')
    .map(
      (p) =>
        `${p.name}{${Object.entries(p.labels)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}} ${p.value}`,
    )
    .sort();
}

describe('HTTP middleware conformance', () => {
  const results = new Map<string, string[]>();

  for (const name of Object.keys(adapters)) {
    it(`${name}: counts requests by method, route template and status`, async () => {
      const series = normalise(await run(name));
      results.set(name, series);
      const has = (s: string) => assert.ok(series.includes(s), `${name} lacks ${s}\n${series.join('\n')}`);
      has('http_requests_total{method=GET,route=/users/:id,service=conformance,status=200} 3');
      has('http_requests_total{method=POST,route=/users,service=conformance,status=201} 1');
      has('http_requests_total{method=GET,route=/boom,service=conformance,status=500} 1');
      has('http_requests_total{method=GET,route=/slow,service=conformance,status=200} 1');
      has('http_requests_total{method=GET,route=/api/orders/:orderId,service=conformance,status=200} 1');
      has('http_requests_total{method=GET,route=<unmatched>,service=conformance,status=404} 1');
      has(
        'http_request_duration_seconds_count{method=GET,route=/users/:id,service=conformance,status=200} 3',
      );
      has('http_requests_in_flight{service=conformance} 0');
      assert.ok(
        !series.some((s) => s.includes('/users/1') || s.includes('/no/such')),
        'no raw URL in labels',
      );
    });
  }

  it('all adapters produce identical series for the same requests', () => {
    const [first, ...rest] = [...results.entries()];
    assert.ok(first !== undefined && rest.length === 2, 'every adapter ran');
    for (const [name, series] of rest) assert.deepEqual(series, first[1], `${name} differs from ${first[0]}`);
  });

  it('records slow requests in the right duration buckets', async () => {
    const points = await run('express');
    const slowCount = (le: string) =>
      points.find(
        (p) =>
          p.name === 'http_request_duration_seconds_bucket' &&
          p.labels.route === '/slow' &&
          p.labels.le === le,
      )?.value;
    assert.equal(slowCount('0.025'), 0);
    assert.equal(slowCount('+Inf'), 1);
  });
});

describe('route templates for node:http', () => {
  it('match by path segment, wildcard and method, first match wins', async () => {
    const { RouteMatcher } = await import('../src/middleware/route-match.js');
    const m = new RouteMatcher(['GET /users/:id', '/users/:id', '/static/*', '/a.b']);
    assert.equal(m.match('GET', '/users/1'), '/users/:id');
    assert.equal(m.match('DELETE', '/users/1'), '/users/:id');
    assert.equal(m.match('GET', '/users/1/x'), undefined);
    assert.equal(m.match('GET', '/static/css/site.css'), '/static/*');
    assert.equal(m.match('GET', '/aXb'), undefined, 'dots are literal');
  });
});
