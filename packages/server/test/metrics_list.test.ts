import assert from 'node:assert/strict';
import { it } from 'node:test';
import { postJson, startTestServer } from './support/server.js';

it('GET /v1/metrics/list types histogram parts as histogram, as /api/v1/metadata types the family', async () => {
  const server = await startTestServer();
  try {
    const labels = { service: 'api' };
    const metrics = [
      { name: 'req_seconds_bucket', type: 'histogram', value: 1, labels: { ...labels, le: '0.1' } },
      { name: 'req_seconds_bucket', type: 'histogram', value: 2, labels: { ...labels, le: '+Inf' } },
      { name: 'req_seconds_sum', type: 'histogram', value: 0.3, labels },
      { name: 'req_seconds_count', type: 'histogram', value: 2, labels },
      { name: 'jobs_total', type: 'counter', value: 5, labels },
      // A counter whose name merely ends like a histogram part keeps its own type.
      { name: 'retries_count', type: 'counter', value: 1, labels },
      { name: 'untyped_thing', value: 1, labels },
    ];
    const res = await postJson(`${server.url}/v1/ingest`, { metrics });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const list = (await (await fetch(`${server.url}/v1/metrics/list`)).json()) as {
      metrics: { name: string; type: string }[];
    };
    assert.deepEqual(Object.fromEntries(list.metrics.map((m) => [m.name, m.type])), {
      jobs_total: 'counter',
      req_seconds_bucket: 'histogram',
      req_seconds_count: 'histogram',
      req_seconds_sum: 'histogram',
      retries_count: 'counter',
      untyped_thing: 'unknown',
    });
    const meta = (await (await fetch(`${server.url}/api/v1/metadata?metric=req_seconds`)).json()) as {
      data: Record<string, { type: string }[]>;
    };
    assert.equal(meta.data.req_seconds?.[0]?.type, 'histogram');
  } finally {
    await server.stop();
  }
});
