import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postJson, startTestServer, type TestServer } from './support/server.js';

/**
 * The Prometheus HTTP API as Grafana's Prometheus data source calls it: the same sequence of
 * requests (health check, build info, label browser, metadata, series, range queries with
 * step-aligned bounds) and the response shapes Grafana parses.
 */

const STEP = 15;
const now = Math.floor(Date.now() / 1000);
const t0 = now - 600;

async function api(server: TestServer, path: string, form?: Record<string, string>) {
  const res = form
    ? await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      })
    : await fetch(`${server.url}${path}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('Prometheus HTTP API, as Grafana uses it', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    const metrics = [];
    for (let i = 0; i <= 40; i++) {
      const timestamp = (t0 + i * STEP) * 1000;
      for (const [service, perStep] of [
        ['api', 10],
        ['web', 4],
      ] as const) {
        metrics.push({
          name: 'http_requests_total',
          type: 'counter',
          help: 'Requests served.',
          value: i * perStep,
          labels: { service, code: '200' },
          timestamp,
        });
      }
      metrics.push({
        name: 'queue_depth',
        type: 'gauge',
        help: 'Jobs waiting.',
        value: i % 7,
        labels: { service: 'api' },
        timestamp,
      });
    }
    const res = await postJson(`${server.url}/v1/ingest`, { metrics });
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });
  after(() => server.stop());

  it('answers the data source health check (1+1), by GET and by form POST', async () => {
    for (const r of [
      await api(server, `/api/v1/query?query=${encodeURIComponent('1+1')}&time=${now}`),
      await api(server, '/api/v1/query', { query: '1+1', time: String(now) }),
    ]) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { status: 'success', data: { resultType: 'scalar', result: [now, '2'] } });
    }
  });

  it('serves build info', async () => {
    const r = await api(server, '/api/v1/status/buildinfo');
    assert.equal(r.body.status, 'success');
    assert.match(r.body.data.version, /^\d+\.\d+\.\d+/);
  });

  it('lists label names and metric names for the label browser', async () => {
    const labels = await api(server, `/api/v1/labels?start=${t0}&end=${now}`);
    assert.deepEqual(labels.body, { status: 'success', data: ['__name__', 'code', 'service'] });
    const names = await api(server, `/api/v1/label/__name__/values?start=${t0}&end=${now}`);
    assert.deepEqual(names.body.data, ['http_requests_total', 'queue_depth']);
    const filtered = await api(
      server,
      `/api/v1/label/service/values?match[]=${encodeURIComponent('queue_depth')}`,
    );
    assert.deepEqual(filtered.body.data, ['api']);
  });

  it('serves metadata with type and help', async () => {
    const r = await api(server, '/api/v1/metadata');
    assert.deepEqual(r.body.data, {
      http_requests_total: [{ type: 'counter', help: 'Requests served.', unit: '' }],
      queue_depth: [{ type: 'gauge', help: 'Jobs waiting.', unit: '' }],
    });
    const one = await api(server, '/api/v1/metadata?metric=queue_depth');
    assert.deepEqual(Object.keys(one.body.data), ['queue_depth']);
  });

  it('finds series by match[] within start and end', async () => {
    const r = await api(server, '/api/v1/series', {
      'match[]': 'http_requests_total{service=~"a.*"}',
      start: String(t0),
      end: String(now),
    });
    assert.deepEqual(r.body.data, [{ __name__: 'http_requests_total', code: '200', service: 'api' }]);
    const missing = await api(server, '/api/v1/series');
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, {
      status: 'error',
      errorType: 'bad_data',
      error: 'no match[] parameter provided',
    });
  });

  it('runs range queries with step-aligned start and end and returns a matrix', async () => {
    const start = Math.floor((t0 + 120) / STEP) * STEP;
    const end = Math.floor(now / STEP) * STEP;
    const r = await api(server, '/api/v1/query_range', {
      query: 'sum by (service) (rate(http_requests_total[1m]))',
      start: String(start),
      end: String(end),
      step: String(STEP),
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.resultType, 'matrix');
    const byService = new Map<string, [number, string][]>(
      r.body.data.result.map((s: any) => [s.metric.service, s.values]),
    );
    assert.deepEqual([...byService.keys()], ['api', 'web']);
    for (const [service, perSecond] of [
      ['api', 10 / STEP],
      ['web', 4 / STEP],
    ] as const) {
      const values = byService.get(service)!;
      assert.ok(values.length > 10);
      for (const [t, v] of values) {
        assert.equal((t - start) % STEP, 0, 'timestamps are on the step grid');
        assert.ok(Math.abs(Number(v) - perSecond) < 1e-9, `${service} rate ${v} at ${t}`);
      }
    }
  });

  it('runs instant queries and reports errors in the Prometheus envelope', async () => {
    const top = await api(
      server,
      `/api/v1/query?query=${encodeURIComponent('topk(1, http_requests_total)')}&time=${t0 + 40 * STEP}`,
    );
    assert.deepEqual(top.body.data.result, [
      {
        metric: { __name__: 'http_requests_total', code: '200', service: 'api' },
        value: [t0 + 40 * STEP, '400'],
      },
    ]);
    const bad = await api(server, '/api/v1/query?query=sum(');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errorType, 'bad_data');
    assert.match(bad.body.error, /^1:5: parse error: /);
    const exec = await api(
      server,
      `/api/v1/query?query=${encodeURIComponent('http_requests_total + on(code) http_requests_total')}`,
    );
    assert.equal(exec.status, 422);
    assert.equal(exec.body.errorType, 'execution');
    assert.match(exec.body.error, /many-to-many matching not allowed/);
    const range = await api(server, '/api/v1/query_range', {
      query: 'up',
      start: '100',
      end: '10',
      step: '15',
    });
    assert.equal(range.status, 400);
    assert.equal(range.body.error, 'end timestamp must not be before start time');
  });

  it('formats and parses queries', async () => {
    const f = await api(server, `/api/v1/format_query?query=${encodeURIComponent('sum(rate(x[5m]))by(a)')}`);
    assert.deepEqual(f.body, { status: 'success', data: 'sum by (a) (rate(x[5m]))' });
    const p = await api(server, `/api/v1/parse_query?query=${encodeURIComponent('up + 1')}`);
    assert.equal(p.body.data.type, 'binaryExpr');
    assert.equal(p.body.data.lhs.type, 'vectorSelector');
  });

  it('answers the endpoints Grafana probes with empty data', async () => {
    assert.deepEqual((await api(server, '/api/v1/rules')).body, { status: 'success', data: { groups: [] } });
    assert.deepEqual((await api(server, '/api/v1/alerts')).body, { status: 'success', data: { alerts: [] } });
    assert.deepEqual((await api(server, '/api/v1/query_exemplars?query=up')).body, {
      status: 'success',
      data: [],
    });
    const tsdb = await api(server, '/api/v1/status/tsdb');
    assert.equal(tsdb.body.data.headStats.numSeries, 3);
    assert.deepEqual(tsdb.body.data.seriesCountByMetricName[0], { name: 'http_requests_total', value: 2 });
  });

  it('keeps the original TinyObs query endpoints', async () => {
    const range = await fetch(
      `${server.url}/v1/query/range?metric=queue_depth&start=${t0}&end=${t0 + 40 * STEP}&maxPoints=41`,
    );
    const body = (await range.json()) as {
      data: { metric: string; labels: object; points: { t: number; v: number }[]; resolution: string }[];
    };
    assert.equal(body.data.length, 1);
    assert.equal(body.data[0]!.metric, 'queue_depth');
    assert.deepEqual(body.data[0]!.labels, { service: 'api' });
    assert.equal(body.data[0]!.resolution, '15s');
    assert.deepEqual(body.data[0]!.points.slice(0, 3), [
      { t: t0 * 1000, v: 0 },
      { t: (t0 + 15) * 1000, v: 1 },
      { t: (t0 + 30) * 1000, v: 2 },
    ]);
    const exec = await postJson(`${server.url}/v1/query/execute`, {
      query: 'sum(queue_depth)',
      start: t0,
      end: t0 + 30,
      step: '15s',
    });
    assert.equal(exec.status, 200);
    assert.equal((exec.json as any).data[0].points.length, 3);
    const instant = await postJson(`${server.url}/v1/query/instant`, { query: 'queue_depth', time: t0 + 15 });
    assert.deepEqual((instant.json as any).data[0].value, { t: (t0 + 15) * 1000, v: 1 });
    const list = (await (await fetch(`${server.url}/v1/metrics/list`)).json()) as {
      metrics: { name: string }[];
    };
    assert.deepEqual(
      list.metrics.map((m) => m.name),
      ['http_requests_total', 'queue_depth'],
    );
    const bad = await fetch(`${server.url}/v1/query/range`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /missing parameter "metric"/);
  });
});
