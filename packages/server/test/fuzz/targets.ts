/**
 * The fuzz targets: every ingest parser with valid seed inputs. A target runs the whole pure
 * pipeline of its format (decompression, decoding, translation into a validated batch); the
 * property is that it returns, or throws an IngestError whose code maps to a 4xx.
 */

import { Counter, Histogram, Registry } from 'prom-client';
import { parseLineProtocol } from '../../src/ingest/influx/parse.js';
import { parseJsonIngest } from '../../src/ingest/json/parse.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/limits.js';
import { decodeOtlpJson } from '../../src/ingest/otlp/decode_json.js';
import { decodeOtlpProtobuf } from '../../src/ingest/otlp/decode_proto.js';
import { translateOtlp } from '../../src/ingest/otlp/translate.js';
import { parseDelimitedProtobuf } from '../../src/ingest/promtext/protobuf.js';
import { parseTextExposition } from '../../src/ingest/promtext/text.js';
import { ProtoWriter } from '../../src/ingest/protobuf/writer.js';
import { PushGroups } from '../../src/ingest/pushgateway/groups.js';
import { decodeRemoteWriteV1, decodeRemoteWriteV2 } from '../../src/ingest/remotewrite/decode.js';
import { encodeWriteRequestV1, encodeWriteRequestV2 } from '../../src/ingest/remotewrite/encode.js';
import { compressSnappy, uncompressSnappy } from '../../src/ingest/remotewrite/snappy.js';
import { DeltaState } from '../../src/ingest/series/delta.js';
import { StatsdAggregator } from '../../src/ingest/statsd/aggregate.js';
import { parseDatagram } from '../../src/ingest/statsd/parse.js';
import { labelsFromRecord } from '../../src/model/labels.js';
import { STALE_NAN } from '../../src/model/sample.js';

export interface FuzzTarget {
  readonly name: string;
  readonly seeds: () => Promise<Uint8Array[]>;
  readonly run: (input: Buffer) => void;
}

const L = { ...DEFAULT_INGEST_LIMITS, maxSamplesPerRequest: 5000, maxDecompressedBytes: 1 << 20 };
const NOW = 1_700_000_000_000;
const text = (s: string) => Buffer.from(s, 'utf8');

const series = [
  {
    labels: labelsFromRecord({ __name__: 'up', job: 'a', instance: 'x:1' }),
    ts: [NOW, NOW + 1000],
    vs: Float64Array.of(1, STALE_NAN),
  },
  { labels: labelsFromRecord({ __name__: 'req_total', code: '200' }), ts: [NOW], vs: [3.5] },
];
const meta = [{ metric: 'req_total', type: 'counter' as const, help: 'Requests.', unit: '' }];

const otlpJson = JSON.stringify({
  resourceMetrics: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 's' } },
          { key: 'k8s.pod', value: { intValue: '3' } },
        ],
      },
      scopeMetrics: [
        {
          scope: { name: 'x' },
          metrics: [
            {
              name: 'a.b',
              unit: 's',
              gauge: {
                dataPoints: [
                  {
                    timeUnixNano: `${NOW}000000`,
                    asDouble: 1.5,
                    attributes: [{ key: 'p', value: { boolValue: true } }],
                  },
                ],
              },
            },
            {
              name: 'c',
              sum: {
                isMonotonic: true,
                aggregationTemporality: 1,
                dataPoints: [{ startTimeUnixNano: '1', timeUnixNano: `${NOW}000000`, asInt: '4' }],
              },
            },
            {
              name: 'h',
              histogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    timeUnixNano: `${NOW}000000`,
                    count: '3',
                    sum: 2,
                    bucketCounts: ['1', '2'],
                    explicitBounds: [1],
                  },
                ],
              },
            },
            {
              name: 'e',
              exponentialHistogram: {
                aggregationTemporality: 2,
                dataPoints: [
                  {
                    timeUnixNano: `${NOW}000000`,
                    count: '3',
                    scale: 1,
                    zeroCount: '1',
                    positive: { offset: -1, bucketCounts: ['1', '1'] },
                  },
                ],
              },
            },
            {
              name: 's',
              summary: {
                dataPoints: [
                  {
                    timeUnixNano: `${NOW}000000`,
                    count: '2',
                    sum: 3,
                    quantileValues: [{ quantile: 0.5, value: 1 }],
                  },
                ],
              },
            },
          ],
        },
      ],
    },
  ],
});

/** An OTLP protobuf request built with the same field numbers the decoder reads. */
function otlpProto(): Buffer {
  const w = new ProtoWriter();
  const rm = w.beginMessage(1);
  const res = w.beginMessage(1);
  const kv = w.beginMessage(1);
  w.string(1, 'service.name');
  const av = w.beginMessage(2);
  w.string(1, 'svc');
  w.endMessage(av);
  w.endMessage(kv);
  w.endMessage(res);
  const sm = w.beginMessage(2);
  const m = w.beginMessage(2);
  w.string(1, 'http.duration');
  w.string(3, 'ms');
  const h = w.beginMessage(9);
  const dp = w.beginMessage(1);
  w.fixed64NanosFromMillis(3, NOW);
  w.tag(4, 1);
  w.bytesRaw(Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]));
  w.double(5, 12.5);
  w.double(7, 10);
  w.double(7, 100);
  w.endMessage(dp);
  w.varintField(2, 2);
  w.endMessage(h);
  w.endMessage(m);
  w.endMessage(sm);
  w.endMessage(rm);
  return Buffer.from(w.finish());
}

async function promText(): Promise<string> {
  const reg = new Registry();
  new Counter({ name: 'jobs_total', help: 'Jobs "x"\\n', labelNames: ['k'], registers: [reg] }).inc(
    { k: 'a"b' },
    2,
  );
  new Histogram({ name: 'lat', help: 'L', buckets: [1], registers: [reg] }).observe(0.5);
  return reg.metrics();
}

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'native JSON',
    seeds: async () => [
      text(
        '{"metrics":[{"name":"a","type":"counter","value":1,"labels":{"service":"s"},"timestamp":"2025-11-18T12:34:56.123456789Z"}]}',
      ),
      text(
        '{"metrics":[{"name":"h_bucket","type":"histogram","value":2,"labels":{"le":"0.5"}},{"name":"h_count","type":"histogram","value":2,"timestamp":1700000000000}]}',
      ),
      text(
        '{"temporality":"cumulative","metrics":[{"name":"g","type":"gauge","value":"NaN","help":"x","unit":"s"}]}',
      ),
    ],
    run: (b) => {
      parseJsonIngest(b.toString('utf8'), L, NOW, new DeltaState({ maxSeries: 1000 }));
    },
  },
  {
    name: 'snappy + remote write 1.0',
    seeds: async () => [
      compressSnappy(encodeWriteRequestV1(series, meta)),
      encodeWriteRequestV1(series, meta),
    ],
    run: (b) => {
      // Raw protobuf seeds exercise the decoder directly; snappy ones go through decompression.
      let raw: Buffer = b;
      try {
        raw = uncompressSnappy(b, L.maxDecompressedBytes);
      } catch {
        raw = b;
      }
      decodeRemoteWriteV1(raw, L);
    },
  },
  {
    name: 'remote write 2.0',
    seeds: async () => [encodeWriteRequestV2(series, new Map(meta.map((m) => [m.metric, m])))],
    run: (b) => {
      decodeRemoteWriteV2(b, L);
    },
  },
  {
    name: 'OTLP protobuf',
    seeds: async () => [otlpProto()],
    run: (b) => {
      translateOtlp(decodeOtlpProtobuf(b), L, new DeltaState({ maxSeries: 1000 }), NOW, {
        promoteScopeMetadata: true,
      });
    },
  },
  {
    name: 'OTLP JSON',
    seeds: async () => [text(otlpJson)],
    run: (b) => {
      translateOtlp(decodeOtlpJson(b.toString('utf8')), L, new DeltaState({ maxSeries: 1000 }), NOW, {
        promoteScopeMetadata: true,
      });
    },
  },
  {
    name: 'Prometheus text (Pushgateway)',
    seeds: async () => [
      text(await promText()),
      text('a{b="c",d="e\\\\n"} 1\n# TYPE x summary\nx{quantile="0.5"} 2\nx_sum 3\n'),
    ],
    run: (b) => {
      new PushGroups(L, 60_000).push(
        [{ name: 'job', value: 'j' }],
        parseTextExposition(b.toString('utf8')),
        true,
        NOW,
      );
    },
  },
  {
    name: 'Prometheus delimited protobuf',
    seeds: async () => {
      const f = new ProtoWriter();
      f.string(1, 'temp');
      f.varintField(3, 4);
      const m = f.beginMessage(4);
      const h = f.beginMessage(7);
      f.varintField(1, 3);
      f.double(2, 1.5);
      const bk = f.beginMessage(3);
      f.varintField(1, 1);
      f.double(2, 0.5);
      f.endMessage(bk);
      f.endMessage(h);
      f.endMessage(m);
      const body = Buffer.from(f.finish());
      const w = new ProtoWriter();
      w.varint(body.length);
      w.bytesRaw(body);
      return [Buffer.from(w.finish())];
    },
    run: (b) => {
      new PushGroups(L, 60_000).push([{ name: 'job', value: 'j' }], parseDelimitedProtobuf(b), false, NOW);
    },
  },
  {
    name: 'StatsD',
    seeds: async () => [text('a.b:1|c|@0.5|#env:prod,x\ng:+3|g\nt:12:15|ms\nu:x|s\nh:2|h|#a:b\nd:1|d')],
    run: (b) => {
      const agg = new StatsdAggregator(L);
      for (const l of parseDatagram(b.toString('utf8')).lines) agg.add(l, NOW);
      agg.flush(NOW + 1000);
    },
  },
  {
    name: 'Influx line protocol',
    seeds: async () => [
      text('cpu,host=a\\ b,x=1 usage=1.5,n=3i,ok=true,s="a b, c" 1700000000000000000\nmem free=2u\n'),
    ],
    run: (b) => {
      parseLineProtocol(b.toString('utf8'), L, 1e-6, NOW);
    },
  },
];
