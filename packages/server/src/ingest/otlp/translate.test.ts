import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  InstrumentType,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { batchValues } from '../../../test/support/batch.js';
import { IngestError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { DeltaState } from '../series/delta.js';
import { decodeOtlpJson } from './decode_json.js';
import { decodeOtlpProtobuf } from './decode_proto.js';
import { type OtlpOptions, translateOtlp } from './translate.js';

/** Prometheus' default mapping: no scope labels (tested on their own below). */
const PROMETHEUS_DEFAULT: OtlpOptions = { promoteScopeMetadata: false };

/** A reader whose collect() the test calls: the real SDK aggregation, no exporter. */
class TestReader extends MetricReader {
  constructor(delta = false) {
    super({
      aggregationTemporalitySelector: () =>
        delta ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
      aggregationSelector: (t) =>
        t === InstrumentType.GAUGE
          ? { type: AggregationType.LAST_VALUE }
          : t === InstrumentType.UP_DOWN_COUNTER || t === InstrumentType.COUNTER
            ? { type: AggregationType.SUM }
            : { type: AggregationType.DEFAULT },
    });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function setup(delta = false) {
  const { reader, provider } = setupWithProvider(delta);
  return { reader, meter: provider.getMeter('test-scope') };
}

function setupWithProvider(delta = false) {
  const reader = new TestReader(delta);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'service.instance.id': 'pod-1',
      'deployment.environment': 'test',
    }),
    readers: [reader],
  });
  return { reader, provider };
}

async function collect(reader: MetricReader): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  return resourceMetrics;
}

const rows = batchValues;

const L = DEFAULT_INGEST_LIMITS;
const decoders = {
  protobuf: (rm: ResourceMetrics) => decodeOtlpProtobuf(ProtobufMetricsSerializer.serializeRequest(rm)!),
  json: (rm: ResourceMetrics) =>
    decodeOtlpJson(Buffer.from(JsonMetricsSerializer.serializeRequest(rm)!).toString('utf8')),
};

describe('OTLP translation (real OpenTelemetry JS SDK encoding)', () => {
  for (const [format, decode] of Object.entries(decoders)) {
    it(`${format}: counters, up-down counters, gauges and histograms as Prometheus 3 names them`, async () => {
      const { reader, meter } = setup();
      const requests = meter.createCounter('http.server.requests', {
        unit: '{request}',
        description: 'Requests.',
      });
      const active = meter.createUpDownCounter('http.server.active_requests');
      const temp = meter.createGauge('room.temperature', { unit: 'Cel' });
      const dur = meter.createHistogram('http.server.duration', {
        unit: 's',
        advice: { explicitBucketBoundaries: [0.1, 1] },
      });
      requests.add(3, { 'http.route': '/cart', code: 200 });
      requests.add(2, { 'http.route': '/cart', code: 200 });
      active.add(4);
      active.add(-1);
      temp.record(21.5);
      for (const d of [0.05, 0.5, 0.7, 3]) dur.record(d);
      const p = translateOtlp(
        decode(await collect(reader)),
        L,
        new DeltaState(),
        Date.now(),
        PROMETHEUS_DEFAULT,
      );
      assert.deepEqual(p.issues, []);
      const r = rows(p);
      const id = 'instance="pod-1", job="checkout", service="checkout"';
      assert.equal(r.get(`http_server_requests_total{code="200", http_route="/cart", ${id}}`), 5);
      assert.equal(r.get(`http_server_active_requests{${id}}`), 3);
      assert.equal(r.get(`room_temperature_celsius{${id}}`), 21.5);
      assert.equal(
        r.get(
          `http_server_duration_seconds_bucket{instance="pod-1", job="checkout", le="0.1", service="checkout"}`,
        ),
        1,
      );
      assert.equal(
        r.get(
          `http_server_duration_seconds_bucket{instance="pod-1", job="checkout", le="1", service="checkout"}`,
        ),
        3,
      );
      assert.equal(
        r.get(
          `http_server_duration_seconds_bucket{instance="pod-1", job="checkout", le="+Inf", service="checkout"}`,
        ),
        4,
      );
      assert.equal(r.get(`http_server_duration_seconds_count{${id}}`), 4);
      assert.equal(r.get(`http_server_duration_seconds_sum{${id}}`), 4.25);
      assert.equal(r.get(`target_info{deployment_environment="test", ${id}}`), 1);
      assert.deepEqual(p.metadata.get('http_server_requests_total'), {
        type: 'counter',
        help: 'Requests.',
        unit: '',
      });
      assert.equal(p.metadata.get('http_server_duration_seconds')?.unit, 'seconds');
    });
  }

  for (const [format, serializer] of [
    [
      'protobuf',
      (rm: ResourceMetrics) => decodeOtlpProtobuf(ProtobufMetricsSerializer.serializeRequest(rm)!),
    ],
    [
      'json',
      (rm: ResourceMetrics) =>
        decodeOtlpJson(Buffer.from(JsonMetricsSerializer.serializeRequest(rm)!).toString('utf8')),
    ],
  ] as const) {
    it(`${format}: the scope as otel_scope_* labels when promoted, none otherwise`, async () => {
      const { reader, provider } = setupWithProvider();
      const a = provider.getMeter('lib-a', '1.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' });
      const b = provider.getMeter('lib-b');
      a.createCounter('jobs.done').add(2, { queue: 'q' });
      b.createCounter('jobs.done').add(5, { queue: 'q' });
      const collected = await collect(reader);
      // The SDK's meters cannot carry scope attributes (the API has no place for them); its
      // serializers encode them, so they are added to what the SDK collected.
      const scopes = collected.scopeMetrics;
      const ai = scopes.findIndex((sm) => sm.scope.name === 'lib-a');
      scopes[ai] = {
        ...scopes[ai]!,
        scope: { ...scopes[ai]!.scope, attributes: { 'component.kind': 'db', 'otel.x': 1 } },
      } as (typeof scopes)[number];
      const decoded = serializer(collected);
      const promoted = rows(translateOtlp(decoded, L, new DeltaState(), 0, { promoteScopeMetadata: true }));
      const id = 'instance="pod-1", job="checkout"';
      assert.equal(
        promoted.get(
          `jobs_done_total{${id}, otel_scope_component_kind="db", otel_scope_name="lib-a", otel_scope_otel_x="1", ` +
            `otel_scope_schema_url="https://opentelemetry.io/schemas/1.26.0", otel_scope_version="1.0.0", queue="q", service="checkout"}`,
        ),
        2,
      );
      // A scope without version or schema URL: those labels are absent, not empty.
      assert.equal(
        promoted.get(`jobs_done_total{${id}, otel_scope_name="lib-b", queue="q", service="checkout"}`),
        5,
      );
      // target_info describes the resource, not a scope.
      assert.equal(promoted.get(`target_info{deployment_environment="test", ${id}, service="checkout"}`), 1);
      assert.equal(promoted.size, 3, [...promoted.keys()].join('\n'));
      const plain = rows(translateOtlp(decoded, L, new DeltaState(), 0, PROMETHEUS_DEFAULT));
      assert.ok(
        [...plain.keys()].every((k) => !k.includes('otel_scope')),
        [...plain.keys()].join('\n'),
      );
      assert.ok(plain.has(`jobs_done_total{${id}, queue="q", service="checkout"}`));
    });
  }

  it('delta sums and histograms are accumulated into cumulative series', async () => {
    const { reader, meter } = setup(true);
    const c = meter.createCounter('jobs.done');
    const h = meter.createHistogram('job.size', { advice: { explicitBucketBoundaries: [10] } });
    const deltas = new DeltaState();
    c.add(2);
    h.record(5);
    const first = translateOtlp(
      decodeOtlpProtobuf(ProtobufMetricsSerializer.serializeRequest(await collect(reader))!),
      L,
      deltas,
      0,
      PROMETHEUS_DEFAULT,
    );
    await new Promise((r) => setTimeout(r, 5)); // the next export ends at a later millisecond
    c.add(3);
    h.record(50);
    const second = translateOtlp(
      decodeOtlpProtobuf(ProtobufMetricsSerializer.serializeRequest(await collect(reader))!),
      L,
      deltas,
      0,
      PROMETHEUS_DEFAULT,
    );
    assert.deepEqual(first.issues, []);
    assert.deepEqual(second.issues, []);
    const r = rows(second);
    const id = 'instance="pod-1", job="checkout", service="checkout"';
    assert.equal(r.get(`jobs_done_total{${id}}`), 5);
    assert.equal(r.get(`job_size_count{${id}}`), 2);
    assert.equal(r.get(`job_size_bucket{instance="pod-1", job="checkout", le="10", service="checkout"}`), 1);
    assert.equal(
      r.get(`job_size_bucket{instance="pod-1", job="checkout", le="+Inf", service="checkout"}`),
      2,
    );
    assert.equal(r.get(`job_size_sum{${id}}`), 55);
  });

  it('invalid points are refused and described while the valid ones are kept', () => {
    const doc = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'ok',
                  gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000', asDouble: 1 }] },
                },
                {
                  name: 'bad_hist',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        timeUnixNano: '1700000000000000000',
                        count: '3',
                        bucketCounts: ['1'],
                        explicitBounds: [1, 2],
                      },
                      { timeUnixNano: 'soon', count: '1' },
                    ],
                  },
                },
                { name: 'no_data' },
                {
                  name: 'gone',
                  gauge: { dataPoints: [{ timeUnixNano: '1700000000000000000', asDouble: 0, flags: 1 }] },
                },
              ],
            },
          ],
        },
      ],
    };
    const p = translateOtlp(decodeOtlpJson(JSON.stringify(doc)), L, new DeltaState(), 0, PROMETHEUS_DEFAULT);
    assert.equal(p.total, 5);
    assert.deepEqual(
      p.issues.map((i) => i.where.replace('resourceMetrics[0].scopeMetrics[0].', '')),
      ['metrics[1].dataPoints[0]', 'metrics[1].dataPoints[1]', 'metrics[2]'],
    );
    assert.match(p.issues[0]!.message, /1 bucket counts for 2 explicit bounds/);
    const r = rows(p);
    assert.equal(r.get('ok{job="svc", service="svc"}'), 1);
    assert.equal(r.get('gone{job="svc", service="svc"}'), 'stale');
    assert.equal(p.length, 2);
  });

  it('exponential histograms become classic buckets at their bucket boundaries', () => {
    const doc = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'latency',
                  unit: 'ms',
                  exponentialHistogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        timeUnixNano: '1700000000000000000',
                        count: '6',
                        sum: 20,
                        scale: 0,
                        zeroCount: '1',
                        positive: { offset: 1, bucketCounts: ['2', '3'] },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const p = translateOtlp(decodeOtlpJson(JSON.stringify(doc)), L, new DeltaState(), 0, PROMETHEUS_DEFAULT);
    assert.deepEqual(p.issues, []);
    const r = rows(p);
    // scale 0: bucket 1 is (2, 4], bucket 2 is (4, 8]
    assert.equal(r.get('latency_milliseconds_bucket{le="0"}'), 1);
    assert.equal(r.get('latency_milliseconds_bucket{le="4"}'), 3);
    assert.equal(r.get('latency_milliseconds_bucket{le="8"}'), 6);
    assert.equal(r.get('latency_milliseconds_bucket{le="+Inf"}'), 6);
  });

  it('a body that is not OTLP is a bad_request', () => {
    for (const body of [Buffer.from([0x0a, 0x05, 0x01]), Buffer.from([0xff, 0xff])]) {
      assert.throws(
        () => decodeOtlpProtobuf(body),
        (e: unknown) => e instanceof IngestError && e.code === 'bad_request',
      );
    }
    for (const text of ['{', '{"resourceMetrics": 5}', '[1]']) {
      assert.throws(
        () => decodeOtlpJson(text),
        (e: unknown) => e instanceof IngestError && e.code === 'bad_request',
      );
    }
  });
});
