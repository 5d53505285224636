// The demo service: a small shop API like the original TinyObs example, instrumented with the
// node:http middleware, runtime metrics and a few business metrics.
import http from 'node:http';
import type { TinyObs } from '@tinyobs/sdk';
import { instrumentHandler } from '@tinyobs/sdk/http';

/** Routes of the demo API, as templates: the `route` label never carries raw ids. */
export const ROUTES = [
  'GET /api/users',
  'GET /api/users/:id',
  'GET /api/orders',
  'POST /api/orders',
  'GET /api/products',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A latency in ms, log-normal around `median` like real services (a long right tail). */
function latency(median: number): number {
  const u = Math.max(1e-9, Math.random());
  const v = Math.random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(median * Math.exp(0.5 * normal), median * 20);
}

/** Creates the demo HTTP server (not listening yet). */
export function createDemoServer(obs: TinyObs): http.Server {
  const errors = obs.counter({
    name: 'errors_total',
    help: 'Application errors by route and kind',
    labelNames: ['route', 'kind'],
  });
  const ordersValue = obs.histogram({
    name: 'order_value_dollars',
    help: 'Value of the orders placed',
    unit: 'dollars',
    buckets: [5, 10, 25, 50, 100, 250, 500],
  });
  let activeUsers = 100;
  obs.gauge({
    name: 'active_users',
    help: 'Users with a session in the last 5 minutes',
    // A bounded random walk, read before each push.
    collect: (g) => {
      activeUsers = Math.max(20, Math.min(400, activeUsers + Math.round((Math.random() - 0.5) * 20)));
      g.set(activeUsers);
    },
  });

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/api/users') {
      await sleep(latency(40));
      // 2% of user lookups fail, as in the original demo.
      if (Math.random() < 0.02) {
        errors.inc({ route: '/api/users', kind: 'database' });
        return json(res, 500, { error: 'database unavailable' });
      }
      return json(res, 200, [
        { id: 1, name: 'Ada' },
        { id: 2, name: 'Linus' },
      ]);
    }
    if (req.method === 'GET' && /^\/api\/users\/[^/]+$/.test(path)) {
      await sleep(latency(15));
      const id = Number(path.slice('/api/users/'.length));
      if (!Number.isInteger(id) || id > 1000) return json(res, 404, { error: 'no such user' });
      return json(res, 200, { id, name: `user-${id}` });
    }
    if (req.method === 'GET' && path === '/api/orders') {
      await sleep(latency(120));
      return json(res, 200, []);
    }
    if (req.method === 'POST' && path === '/api/orders') {
      await sleep(latency(180));
      if (Math.random() < 0.01) {
        errors.inc({ route: '/api/orders', kind: 'payment' });
        return json(res, 502, { error: 'payment provider failed' });
      }
      ordersValue.observe(Math.round(latency(40) * 100) / 100);
      return json(res, 201, { ok: true });
    }
    if (req.method === 'GET' && path === '/api/products') {
      await sleep(latency(25));
      return json(res, 200, [{ sku: 'tee', price: 20 }]);
    }
    return json(res, 404, { error: 'not found' });
  };

  return http.createServer(
    instrumentHandler(
      obs,
      (req, res) => {
        handle(req, res).catch(() => {
          errors.inc({ route: 'unknown', kind: 'exception' });
          if (!res.headersSent) json(res, 500, { error: 'internal' });
        });
      },
      { routes: ROUTES },
    ),
  );
}
