import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postJson, startTestServer, type TestServer } from './support/server.js';

describe('status endpoints of the original TinyObs and tsdb self-metrics', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ maxStorageBytes: 256 * 1024 * 1024 });
    const now = Date.now();
    const metrics = [];
    for (let i = 0; i < 5; i++) {
      for (const svc of ['a', 'b', 'c'])
        metrics.push({
          name: 'req_total',
          type: 'counter',
          value: i,
          labels: { svc },
          timestamp: now - 5000 + i * 1000,
        });
      metrics.push({ name: 'temp', type: 'gauge', value: i, timestamp: now - 5000 + i * 1000 });
    }
    assert.equal((await postJson(`${server.url}/v1/ingest`, { metrics })).status, 200);
  });
  after(() => server.stop());

  it('GET /v1/stats counts series and samples', async () => {
    const s = (await (await fetch(`${server.url}/v1/stats`)).json()) as Record<string, any>;
    assert.equal(s.series, 4);
    assert.equal(s.samples, 20);
    assert.equal(s.samples_ingested_since_start, 20);
    assert.equal(s.bytes_budget, 256 * 1024 * 1024);
    assert.ok(s.bytes_used > 0);
  });

  it('GET /v1/storage reports bytes, budget and tiers', async () => {
    const s = (await (await fetch(`${server.url}/v1/storage`)).json()) as Record<string, any>;
    assert.equal(s.bytes_budget, 256 * 1024 * 1024);
    assert.ok(s.used_percent >= 0 && s.used_percent < 100);
    assert.deepEqual(Object.keys(s.tiers).sort(), ['1h', '5m', 'raw']);
    assert.equal(s.tiers.raw.retention_seconds, 15 * 86_400);
  });

  it('GET /v1/cardinality lists the top metrics by series', async () => {
    const s = (await (await fetch(`${server.url}/v1/cardinality?limit=1`)).json()) as Record<string, any>;
    assert.deepEqual(s, { series: 4, metrics: 2, top_metrics: [{ metric: 'req_total', series: 3 }] });
    const bad = await fetch(`${server.url}/v1/cardinality?limit=zero`);
    assert.equal(bad.status, 400);
  });

  it('exposes tinyobs_tsdb_* at /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /^tinyobs_tsdb_head_series 4$/m);
    assert.match(text, /^tinyobs_tsdb_storage_budget_bytes 268435456$/m);
    for (const name of [
      'wal_size_bytes',
      'head_chunks',
      'compactions_total',
      'corruptions_total',
      'out_of_order_samples_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE tinyobs_tsdb_${name} (gauge|counter)$`, 'm'));
    }
  });
});
