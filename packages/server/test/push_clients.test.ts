/**
 * Real push clients against a real server: the OpenTelemetry JS SDK's OTLP/HTTP exporters
 * (protobuf and JSON), prom-client's Pushgateway class, and Influx line protocol over HTTP.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { OTLPMetricExporter as OtlpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';
import { DEFAULT_INGEST_LIMITS } from '../src/ingest/limits.js';
import { startTestServer, type TestServer } from './support/server.js';

interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('push clients', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const query = async (q: string): Promise<Vector['data']['result']> => {
    const r = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200);
    return ((await r.json()) as Vector).data.result;
  };
  const value = async (q: string): Promise<number | undefined> => {
    const r = await query(q);
    return r.length === 0 ? undefined : Number(r[0]!.value[1]);
  };

  for (const [format, Exporter] of [
    ['protobuf', OtlpProtoExporter],
    ['json', OtlpJsonExporter],
  ] as const) {
    it(`OpenTelemetry JS SDK, OTLP/HTTP ${format}: counters, gauges and histograms as Prometheus names them`, async () => {
      const exporter = new Exporter({ url: `${server.url}/v1/metrics` });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({
          'service.name': `otel-${format}`,
          'service.instance.id': 'i-1',
          region: 'eu',
        }),
        readers: [reader],
      });
      const meter = provider.getMeter('test');
      const c = meter.createCounter('orders.placed', { unit: '{order}' });
      const h = meter.createHistogram('order.value', {
        unit: 'By',
        advice: { explicitBucketBoundaries: [10, 100] },
      });
      const g = meter.createGauge('queue.length');
      c.add(4, { channel: 'web' });
      for (const v of [5, 50, 500]) h.record(v);
      g.record(12);
      await provider.forceFlush();
      await provider.shutdown();
      const sel = `job="otel-${format}"`;
      assert.equal(
        await value(`orders_placed_total{${sel}, channel="web", instance="i-1", service="otel-${format}"}`),
        4,
      );
      assert.equal(await value(`order_value_bytes_bucket{${sel}, le="100"}`), 2);
      assert.equal(await value(`order_value_bytes_bucket{${sel}, le="+Inf"}`), 3);
      assert.equal(await value(`order_value_bytes_count{${sel}}`), 3);
      assert.equal(await value(`order_value_bytes_sum{${sel}}`), 555);
      assert.equal(await value(`queue_length{${sel}}`), 12);
      assert.equal(await value(`target_info{${sel}, region="eu"}`), 1);
    });
  }

  it('OTLP: a partly invalid request stores the valid points and reports the others in partial_success', async () => {
    const now = `${Date.now()}000000`;
    const res = await fetch(`${server.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
            scopeMetrics: [
              {
                metrics: [
                  { name: 'good_gauge', gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 7 }] } },
                  {
                    name: 'bad_hist',
                    histogram: {
                      dataPoints: [
                        { timeUnixNano: now, count: '1', bucketCounts: ['1'], explicitBounds: [1] },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      partialSuccess?: { rejectedDataPoints: string; errorMessage: string };
    };
    assert.equal(body.partialSuccess?.rejectedDataPoints, '1');
    assert.match(body.partialSuccess!.errorMessage, /metrics\[1\]\.dataPoints\[0\].*bucket counts/);
    assert.equal(await value('good_gauge{job="partial"}'), 7);
    const garbage = await fetch(`${server.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0x7f]),
    });
    assert.equal(garbage.status, 400);
  });

  it("OTLP: failures answer a google.rpc.Status in the request's encoding; samples storage refuses count as rejected", async () => {
    const post = (type: string, body: string | Buffer) =>
      fetch(`${server.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': type }, body });
    const json = await post('application/json', '{"resourceMetrics": 5}');
    assert.equal(json.status, 400);
    assert.equal(json.headers.get('content-type'), 'application/json');
    const status = (await json.json()) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /resourceMetrics/);
    const proto = await post('application/x-protobuf', Buffer.from([0x0a, 0x7f]));
    assert.equal(proto.status, 400);
    assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
    const bytes = Buffer.from(await proto.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 2)], [0x08, 3], 'Status.code = INVALID_ARGUMENT');
    // Refused before the body is read (media type) or while reading it (a gzip bomb past the
    // decompressed limit): a Status all the same, in the request's encoding where it has one.
    const wrongType = await post('text/plain', 'x');
    assert.equal(wrongType.status, 415);
    assert.equal(wrongType.headers.get('content-type'), 'application/x-protobuf');
    const wrongBytes = Buffer.from(await wrongType.arrayBuffer());
    assert.deepEqual([...wrongBytes.subarray(0, 2)], [0x08, 3]);
    assert.match(wrongBytes.toString('latin1'), /Content-Type "text\/plain" is not accepted/);
    const bomb = await fetch(`${server.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(Buffer.alloc(DEFAULT_INGEST_LIMITS.maxDecompressedBytes + 1024, 0x20)),
    });
    assert.equal(bomb.status, 413);
    assert.equal(bomb.headers.get('content-type'), 'application/json');
    const bombStatus = (await bomb.json()) as { code: number; message: string };
    assert.equal(bombStatus.code, 3);
    assert.match(bombStatus.message, /decompressed body too large/);
    // A point a day ahead: storage refuses it, and partial_success must not say 0 were rejected.
    const ahead = `${Date.now() + 86_400_000}000000`;
    const now = `${Date.now()}000000`;
    const future = await post(
      'application/json',
      JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'future' } }] },
            scopeMetrics: [
              {
                metrics: [
                  { name: 'now_gauge', gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 1 }] } },
                  { name: 'ahead_gauge', gauge: { dataPoints: [{ timeUnixNano: ahead, asDouble: 2 }] } },
                ],
              },
            ],
          },
        ],
      }),
    );
    assert.equal(future.status, 200);
    const partial = (
      (await future.json()) as { partialSuccess?: { rejectedDataPoints: string; errorMessage: string } }
    ).partialSuccess;
    assert.equal(partial?.rejectedDataPoints, '1');
    assert.match(partial!.errorMessage, /future/);
    assert.equal(await value('now_gauge{job="future"}'), 1);
  });

  it("prom-client's Pushgateway: push replaces the group, pushAdd merges, delete removes", async () => {
    const reg = new Registry();
    const done = new Counter({ name: 'batch_done_total', help: 'Done.', registers: [reg] });
    const last = new Gauge({
      name: 'batch_last_success',
      help: 'Last.',
      labelNames: ['step'],
      registers: [reg],
    });
    const dur = new Histogram({ name: 'batch_seconds', help: 'Time.', buckets: [1, 10], registers: [reg] });
    done.inc(3);
    last.set({ step: 'load' }, 1700);
    dur.observe(4);
    const gw = new Pushgateway(server.url, {}, reg);
    const group = { jobName: 'nightly', groupings: { instance: 'host/1' } };
    await gw.pushAdd(group);
    const sel = 'job="nightly", instance="host/1"';
    assert.equal(await value(`batch_done_total{${sel}}`), 3);
    assert.equal(await value(`batch_last_success{${sel}, step="load"}`), 1700);
    assert.equal(await value(`batch_seconds_bucket{${sel}, le="10"}`), 1);
    assert.ok((await value(`push_time_seconds{${sel}}`))! > 1.6e9);
    // push (PUT) with a registry lacking the gauge: the gauge goes (staleness marker).
    const reg2 = new Registry();
    new Counter({ name: 'batch_done_total', help: 'Done.', registers: [reg2] }).inc(5);
    await new Pushgateway(server.url, {}, reg2).push(group);
    assert.equal(await value(`batch_done_total{${sel}}`), 5);
    assert.equal(await value(`batch_last_success{${sel}}`), undefined);
    await gw.delete(group);
    assert.equal(await value(`batch_done_total{${sel}}`), undefined);
    const bad = await fetch(`${server.url}/metrics/job/x`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'a{b="1" 2\n',
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /line 1/);
    const badProto = await fetch(`${server.url}/metrics/job/x`, {
      method: 'PUT',
      headers: {
        'content-type':
          'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
      },
      body: Buffer.from([0x05, 0x0a, 0x7f]),
    });
    assert.equal(badProto.status, 400);
  });

  it('Influx 2 clients authenticate with "Authorization: Token <key>" (as Telegraf sends it)', async () => {
    const keyed = await startTestServer({ writeKeys: ['s3cret'] });
    try {
      const post = (authorization?: string) =>
        fetch(`${keyed.url}/api/v2/write?org=o&bucket=b&precision=s`, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            ...(authorization ? { authorization } : {}),
          },
          body: `tok,host=a value=1 ${Math.floor(Date.now() / 1000)}\n`,
        });
      assert.equal((await post()).status, 401);
      assert.equal((await post('Token wrong')).status, 401);
      assert.equal((await post('Token s3cret')).status, 204);
    } finally {
      await keyed.stop();
    }
  });

  it('Influx line protocol on /write and /api/v2/write; bad lines are named, good ones kept', async () => {
    const s = Math.floor(Date.now() / 1000);
    const ok = await fetch(`${server.url}/write?db=x&precision=s`, {
      method: 'POST',
      body: `weather,city=paris temp=21.5,humidity=40i ${s}\n`,
    });
    assert.equal(ok.status, 204);
    assert.equal(await value('weather_temp{city="paris"}'), 21.5);
    assert.equal(await value('weather_humidity{city="paris"}'), 40);
    const partial = await fetch(`${server.url}/api/v2/write?precision=s`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: `disk,dev=sda used=3 ${s}\nbroken line\n`,
    });
    assert.equal(partial.status, 400);
    assert.match(await partial.text(), /line 2/);
    assert.equal(await value('disk_used{dev="sda"}'), 3);
  });
});
