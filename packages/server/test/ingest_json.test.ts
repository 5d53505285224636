import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { postJson, startTestServer, type TestServer } from './support/server.js';

/** The newest value of every series at /metrics, keyed by the exposition line's series text. */
async function scrape(server: TestServer): Promise<{ text: string; values: Map<string, number> }> {
  const res = await fetch(`${server.url}/metrics`);
  const text = await res.text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    values.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return { text, values };
}

describe('series limits at POST /v1/ingest', () => {
  it('answers 429 naming the metric whose series limit is reached, and stores the rest', async () => {
    const server = await startTestServer({ maxSeriesPerMetric: 2 });
    try {
      const res = await postJson(`${server.url}/v1/ingest`, {
        metrics: [
          ...['a', 'b', 'c'].map((pod) => ({
            name: 'pods_running',
            type: 'gauge',
            value: 1,
            labels: { pod },
          })),
          { name: 'other', type: 'gauge', value: 1 },
        ],
      });
      assert.equal(res.status, 429);
      assert.match(
        String(res.json.message),
        /1 samples refused: the series limit is reached for pods_running \(--max-series-per-metric/,
      );
      const text = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(text, /^other 1$/m);
      assert.equal(text.match(/^pods_running\{/gm)?.length, 2);
      assert.match(text, /tinyobs_rejected_samples_total\{protocol="json",reason="too_many_series"\} 1/);
    } finally {
      await server.stop();
    }
  });
});

describe('POST /v1/ingest (native JSON)', () => {
  let server: TestServer;
  let ingest: string;
  before(async () => {
    server = await startTestServer({ maxSamplesPerRequest: 100, maxBodyBytes: 64 * 1024 });
    ingest = `${server.url}/v1/ingest`;
  });
  after(() => server.stop());

  it('accepts the exact payload of the original Go SDK: zero timestamps, counter, gauge, histogram flush', async () => {
    // What pkg/sdk of the original TinyObs marshals: time.Time fields, the zero time when unset,
    // cumulative buckets labelled by le, and the service label added by the client.
    const payload = {
      metrics: [
        {
          name: 'http_requests_total',
          type: 'counter',
          value: 42,
          labels: { service: 'api', method: 'GET', endpoint: '/users' },
          timestamp: new Date(Date.now() - 1000).toISOString().replace('Z', '123456Z'),
        },
        {
          name: 'queue_size',
          type: 'gauge',
          value: 7,
          labels: { service: 'api' },
          timestamp: '0001-01-01T00:00:00Z',
        },
        ...[
          ['0.005', 1],
          ['0.01', 2],
          ['0.1', 4],
          ['+Inf', 5],
        ].map(([le, v]) => ({
          name: 'request_duration_seconds_bucket',
          type: 'histogram',
          value: v,
          labels: { service: 'api', endpoint: '/users', le },
          timestamp: '0001-01-01T00:00:00Z',
        })),
        {
          name: 'request_duration_seconds_sum',
          type: 'histogram',
          value: 0.31,
          labels: { service: 'api', endpoint: '/users' },
          timestamp: '0001-01-01T00:00:00Z',
        },
        {
          name: 'request_duration_seconds_count',
          type: 'histogram',
          value: 5,
          labels: { service: 'api', endpoint: '/users' },
          timestamp: '0001-01-01T00:00:00Z',
        },
      ],
    };
    const res = await postJson(ingest, payload);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'success', count: 8 });

    const { text, values } = await scrape(server);
    assert.match(text, /# TYPE http_requests_total counter\n/);
    assert.match(text, /# TYPE queue_size gauge\n/);
    assert.match(text, /# TYPE request_duration_seconds histogram\n/);
    assert.equal(values.get('http_requests_total{endpoint="/users",method="GET",service="api"}'), 42);
    assert.equal(values.get('queue_size{service="api"}'), 7);
    assert.equal(values.get('request_duration_seconds_bucket{endpoint="/users",le="0.01",service="api"}'), 2);
    assert.equal(values.get('request_duration_seconds_bucket{endpoint="/users",le="+Inf",service="api"}'), 5);
    assert.equal(values.get('request_duration_seconds_count{endpoint="/users",service="api"}'), 5);
    // The histogram's lines are grouped: buckets in le order, then _sum and _count.
    const family = text.slice(text.indexOf('# TYPE request_duration_seconds histogram'));
    const lines = family.split('\n').slice(1, 7);
    assert.deepEqual(
      lines.map((l) => l.split('{')[0]),
      [
        ...Array(4).fill('request_duration_seconds_bucket'),
        'request_duration_seconds_sum',
        'request_duration_seconds_count',
      ],
    );
  });

  it('accepts gzip bodies and numeric millisecond timestamps', async () => {
    const body = gzipSync(
      JSON.stringify({ metrics: [{ name: 'gz_total', type: 'counter', value: 3, timestamp: Date.now() }] }),
    );
    const res = await fetch(ingest, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: 'Bearer anything',
      },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal((await scrape(server)).values.get('gz_total'), 3);
  });

  it('reads a gzip body of several members whole (its trailer sizes only the last one)', async () => {
    // More than one output chunk (16 KiB) before the last member.
    const points = Array.from({ length: 100 }, (_, i) => ({
      name: 'members_total',
      type: 'counter',
      labels: { i: String(i), pad: 'x'.repeat(300) },
      value: i,
      timestamp: Date.now(),
    }));
    const text = JSON.stringify({ metrics: points });
    const cut = text.length - 40;
    const body = Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut))]);
    const res = await fetch(ingest, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal((await scrape(server)).values.get(`members_total{i="99",pad="${'x'.repeat(300)}"}`), 99);
  });

  it('keeps the last point when a request repeats a series and timestamp', async () => {
    const t = Date.now();
    const res = await postJson(ingest, {
      metrics: [
        { name: 'dup_total', type: 'counter', value: 1, timestamp: t },
        { name: 'dup_total', type: 'counter', value: 2, timestamp: t },
      ],
    });
    assert.equal(res.status, 200);
    assert.equal((await scrape(server)).values.get('dup_total'), 2);
  });

  const rejections: [string, unknown, RegExp][] = [
    ['invalid JSON', '{"metrics":[', /invalid JSON/],
    ['metrics not an array', { metrics: {} }, /"metrics" must be an array/],
    ['a point that is not an object', { metrics: [5] }, /metrics\[0\]: must be an object/],
    ['a missing name', { metrics: [{ value: 1 }] }, /metrics\[0\]\.name: is required/],
    [
      'an invalid metric name',
      { metrics: [{ name: '1abc', value: 1 }] },
      /metrics\[0\]\.name: "1abc" is not a valid metric name/,
    ],
    [
      'a value that is not a number',
      { metrics: [{ name: 'a', value: '12' }] },
      /metrics\[0\]\.value: is required and must be a number/,
    ],
    [
      'an unknown type',
      { metrics: [{ name: 'a', type: 'summary', value: 1 }] },
      /metrics\[0\]\.type: "summary" is not one of/,
    ],
    [
      'an invalid timestamp',
      { metrics: [{ name: 'a', value: 1, timestamp: 'yesterday' }] },
      /metrics\[0\]\.timestamp: "yesterday" is not an RFC 3339 time/,
    ],
    [
      'an invalid label name',
      { metrics: [{ name: 'a', value: 1, labels: { 'bad-name': 'x' } }] },
      /metrics\[0\]\.labels\.bad-name: "bad-name" is not a valid label name/,
    ],
    [
      'a reserved label name',
      { metrics: [{ name: 'a', value: 1, labels: { __x: 'x' } }] },
      /metrics\[0\]\.labels\.__x: label names starting with "__" are reserved/,
    ],
    [
      'a label value that is not a string',
      { metrics: [{ name: 'a', value: 1, labels: { code: 200 } }] },
      /metrics\[0\]\.labels\.code: label values must be strings/,
    ],
    [
      'too many labels',
      {
        metrics: [
          {
            name: 'a',
            value: 1,
            labels: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`l${i}`, 'v'])),
          },
        ],
      },
      /metrics\[0\]\.labels: has 31 labels \(limit 30, --max-labels-per-series\)/,
    ],
    [
      'a metric name too long',
      { metrics: [{ name: 'a'.repeat(257), value: 1 }] },
      /metrics\[0\]\.name: is 257 characters long \(limit 256, --max-name-length\)/,
    ],
    [
      'a label value too long',
      { metrics: [{ name: 'a', value: 1, labels: { k: 'v'.repeat(2049) } }] },
      /metrics\[0\]\.labels\.k: value is 2049 characters long \(limit 2048, --max-label-value-length\)/,
    ],
    [
      'a histogram point without a histogram suffix',
      { metrics: [{ name: 'lat', type: 'histogram', value: 1 }] },
      /metrics\[0\]\.name: histogram points must be named <name>_bucket/,
    ],
    [
      'a bucket without le',
      { metrics: [{ name: 'lat_bucket', type: 'histogram', value: 1 }] },
      /metrics\[0\]\.labels\.le: a histogram _bucket point needs an "le" label/,
    ],
  ];
  for (const [what, body, message] of rejections) {
    it(`answers 400 naming the rule for ${what}`, async () => {
      const res = await postJson(ingest, body);
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.equal(res.json.error, 'Bad Request');
      assert.match(String(res.json.message), message);
    });
  }

  it('answers 413 naming the limit for too many samples in one request', async () => {
    const res = await postJson(ingest, {
      metrics: Array.from({ length: 101 }, () => ({ name: 'a', value: 1 })),
    });
    assert.equal(res.status, 413);
    assert.match(
      String(res.json.message),
      /too many samples in request: 101 or more \(limit 100, --max-samples-per-request\)/,
    );
  });

  it('answers 413 for a body over the size limit', async () => {
    const big = JSON.stringify({ metrics: [{ name: 'a', value: 1, labels: { k: 'x'.repeat(70 * 1024) } }] });
    const res = await postJson(ingest, big);
    assert.equal(res.status, 413);
    assert.match(String(res.json.message), /body too large: .* \(limit 65536 bytes/);
  });

  it('answers 413 for a gzip body that inflates past the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    const res = await fetch(ingest, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    assert.equal(res.status, 413);
    assert.match(
      ((await res.json()) as { message: string }).message,
      /decompressed body too large: .* \(limit 262144 bytes, --max-body-size\)/,
    );
  });

  it('answers 400 for a body that is not the gzip it claims to be', async () => {
    const res = await fetch(ingest, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"metrics":[]}',
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /cannot decompress body \(gzip\)/);
  });

  it('stores the good points of a request that also holds bad ones, and says which were refused', async () => {
    const res = await postJson(ingest, {
      metrics: [
        { name: 'mixed_ok', type: 'gauge', value: 1 },
        { name: 'bad name', type: 'gauge', value: 2 },
        { name: 'mixed_ok2', type: 'gauge', value: 3 },
      ],
    });
    assert.equal(res.status, 400);
    assert.match(String(res.json.message), /1 of 3 metrics rejected \(2 stored\): metrics\[1\]\.name/);
    const { values } = await scrape(server);
    assert.equal(values.get('mixed_ok'), 1);
    assert.equal(values.get('mixed_ok2'), 3);
    assert.match(
      (await scrape(server)).text,
      /tinyobs_rejected_samples_total\{protocol="json",reason="invalid"\} \d+/,
    );
  });

  it('keeps late samples, answers 400 naming too old, future and conflicting samples, and keeps the rest', async () => {
    const t = Date.now();
    assert.equal(
      (await postJson(ingest, { metrics: [{ name: 'ooo_g', type: 'gauge', value: 1, timestamp: t }] }))
        .status,
      200,
    );
    const res = await postJson(ingest, {
      metrics: [
        { name: 'ooo_g', type: 'gauge', value: 2, timestamp: t - 2 * 3_600_000 }, // late: kept
        { name: 'ooo_g', type: 'gauge', value: 3, timestamp: t },
        { name: 'ooo_g', type: 'gauge', value: 4, timestamp: t + 1000 },
        { name: 'ooo_g', type: 'gauge', value: 5, timestamp: t + 3_600_000 }, // an hour ahead
        { name: 'ooo_g', type: 'gauge', value: 6, timestamp: t - 20 * 86_400_000 }, // before retention
      ],
    });
    assert.equal(res.status, 400);
    assert.match(
      String(res.json.message),
      /samples refused: 1 too old \(before \d{4}-\d\d-\d\dT[\d:.]+Z, the oldest time raw retention still accepts; --retention-raw\); 1 too far in the future \(more than 600 s ahead of the server's clock; --max-future\); 1 with the timestamp of a stored sample but another value; 2 samples were stored/,
    );
    // The future sample did not become the series' newest: the current one is.
    assert.equal((await scrape(server)).values.get('ooo_g'), 4);
    // Re-sending what is stored (a retry after a lost answer) is not an error.
    const retry = await postJson(ingest, {
      metrics: [{ name: 'ooo_g', type: 'gauge', value: 4, timestamp: t + 1000 }],
    });
    assert.equal(retry.status, 200);
  });

  it('answers 405 for the wrong method and 404 for an unknown path', async () => {
    const res = await fetch(ingest);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${server.url}/v1/nope`)).status, 404);
  });
});
