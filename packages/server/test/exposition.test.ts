import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { postJson, startTestServer, type TestServer } from './support/server.js';
import { requireBinary } from './support/system.js';

describe('GET /metrics', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const now = Date.now();
    const res = await postJson(`${server.url}/v1/ingest`, {
      metrics: [
        {
          name: 'jobs_total',
          type: 'counter',
          value: 1,
          labels: { service: 'w' },
          timestamp: now - 2000,
          help: 'Jobs done.',
        },
        { name: 'jobs_total', type: 'counter', value: 5, labels: { service: 'w' }, timestamp: now - 1000 },
        {
          name: 'temperature_celsius',
          type: 'gauge',
          value: -3.5,
          labels: { service: 'w', room: 'a"b\\c\nd' },
        },
        { name: 'temperature_celsius', type: 'gauge', value: 20, labels: { service: 'v', room: 'x' } },
        { name: 'old_gauge', type: 'gauge', value: 1, timestamp: now - 10 * 60_000 },
        { name: 'wait_seconds_bucket', type: 'histogram', value: 2, labels: { service: 'w', le: '0.5' } },
        { name: 'wait_seconds_bucket', type: 'histogram', value: 1, labels: { service: 'w', le: '0.1' } },
        { name: 'wait_seconds_sum', type: 'histogram', value: 0.7, labels: { service: 'w' } },
        { name: 'wait_seconds_count', type: 'histogram', value: 3, labels: { service: 'w' } },
        { name: 'special', type: 'gauge', value: '+Inf' },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });
  after(() => server.stop());

  it('serves format 0.0.4 with HELP and TYPE per family, the newest value, escaped labels, sorted', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const pushed = text.slice(0, text.indexOf('# HELP tinyobs_'));
    assert.equal(
      pushed,
      [
        '# HELP jobs_total Jobs done.',
        '# TYPE jobs_total counter',
        'jobs_total{service="w"} 5',
        '# HELP special special pushed to TinyObs.',
        '# TYPE special gauge',
        'special +Inf',
        '# HELP temperature_celsius temperature_celsius pushed to TinyObs.',
        '# TYPE temperature_celsius gauge',
        'temperature_celsius{room="a\\"b\\\\c\\nd",service="w"} -3.5',
        'temperature_celsius{room="x",service="v"} 20',
        '# HELP wait_seconds wait_seconds pushed to TinyObs.',
        '# TYPE wait_seconds histogram',
        'wait_seconds_bucket{le="0.1",service="w"} 1',
        'wait_seconds_bucket{le="0.5",service="w"} 2',
        'wait_seconds_bucket{le="+Inf",service="w"} 3',
        'wait_seconds_sum{service="w"} 0.7',
        'wait_seconds_count{service="w"} 3',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /old_gauge/, 'a series older than the staleness window is not exposed');
  });

  it("includes the server's own metrics", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    // 10 pushed points, plus the +Inf bucket the server adds to the Go-SDK-style histogram.
    assert.match(text, /^tinyobs_ingested_samples_total\{protocol="json"\} 11$/m);
    assert.match(text, /^tinyobs_active_series \d+$/m);
    assert.match(
      text,
      /^tinyobs_http_request_duration_seconds_count\{code="200",handler="\/v1\/ingest"\} 1$/m,
    );
  });

  it('passes promtool check metrics', async (t) => {
    const promtool = requireBinary(t, 'promtool', 'prometheus');
    if (promtool === null) return;
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool found problems:\n${r.stdout}${r.stderr}`);
  });
});
