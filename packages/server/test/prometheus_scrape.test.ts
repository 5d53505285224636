import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitFor } from './support/ports.js';
import { startPrometheus } from './support/prometheus.js';
import { postJson, startTestServer, type TestServer } from './support/server.js';
import { requireBinary } from './support/system.js';

interface PromVector {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('a real Prometheus scraping GET /metrics', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('scrapes every pushed family without errors and answers queries over it', async (t) => {
    const prometheus = requireBinary(t, 'prometheus', 'prometheus');
    if (prometheus === null) return;
    const res = await postJson(`${server.url}/v1/ingest`, {
      metrics: [
        { name: 'orders_total', type: 'counter', value: 17, labels: { service: 'shop', status: 'ok' } },
        { name: 'cart_items', type: 'gauge', value: 3, labels: { service: 'shop' } },
        {
          name: 'checkout_seconds_bucket',
          type: 'histogram',
          value: 4,
          labels: { service: 'shop', le: '1' },
        },
        {
          name: 'checkout_seconds_bucket',
          type: 'histogram',
          value: 6,
          labels: { service: 'shop', le: '+Inf' },
        },
        { name: 'checkout_seconds_sum', type: 'histogram', value: 5.5, labels: { service: 'shop' } },
        { name: 'checkout_seconds_count', type: 'histogram', value: 6, labels: { service: 'shop' } },
      ],
    });
    assert.equal(res.status, 200);

    const target = new URL(server.url).host;
    const prom = await startPrometheus(
      prometheus,
      `global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: tinyobs
    honor_labels: true
    static_configs: [{targets: ['${target}']}]
`,
    );
    t.after(() => prom.stop());
    const api = `http://127.0.0.1:${prom.port}/api/v1`;
    const query = async (q: string) => {
      const r = await fetch(`${api}/query?query=${encodeURIComponent(q)}`);
      return (await r.json()) as PromVector;
    };

    const up = await waitFor(
      'Prometheus to scrape TinyObs',
      async () => {
        const r = await query('up{job="tinyobs"}');
        return r.data.result.length > 0 ? r : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus log:\n${prom.log()}`);
    });
    assert.equal(up.data.result[0]!.value[1], '1');

    const targets = (await (await fetch(`${api}/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string }[] };
    };
    assert.deepEqual(
      targets.data.activeTargets.map((x) => [x.health, x.lastError]),
      [['up', '']],
    );

    const orders = await query('orders_total');
    assert.deepEqual(orders.data.result[0]!.metric, {
      __name__: 'orders_total',
      instance: target,
      job: 'tinyobs',
      service: 'shop',
      status: 'ok',
    });
    assert.equal(orders.data.result[0]!.value[1], '17');
    assert.equal((await query('cart_items')).data.result[0]!.value[1], '3');
    const p50 = await query('histogram_quantile(0.5, checkout_seconds_bucket)');
    assert.equal(p50.data.result.length, 1);
    assert.ok(Number(p50.data.result[0]!.value[1]) <= 1, 'the median falls in the first bucket');
    const own = await query('tinyobs_ingested_samples_total');
    assert.equal(own.data.result[0]!.value[1], '6');

    const meta = (await (await fetch(`${api}/metadata?metric=checkout_seconds`)).json()) as {
      data: Record<string, { type: string }[]>;
    };
    assert.equal(meta.data.checkout_seconds?.[0]?.type, 'histogram');
  });
});
