/**
 * OTLP metrics in protobuf (`opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest`,
 * ../shared/protos/otlp) decoded into the {@link OtlpRequest} model. Field numbers are from
 * metrics.proto, common.proto and resource.proto; unknown fields are skipped.
 */

import { IngestError } from '../errors.js';
import { fieldKey, I64, LEN, ProtoError, ProtoReader, VARINT } from '../protobuf/reader.js';
import type {
  Attribute,
  DataPoint,
  ExpBuckets,
  ExpHistogramPoint,
  HistogramPoint,
  MetricKind,
  NumberPoint,
  OtlpMetric,
  OtlpRequest,
  ResourceMetrics,
  ScopeMetrics,
  SummaryPoint,
} from './model.js';

const key = fieldKey;

/** Decodes a protobuf export request; malformed input is a 400 for the whole request. */
export function decodeOtlpProtobuf(buf: Uint8Array): OtlpRequest {
  const r = new ProtoReader(buf);
  const resourceMetrics: ResourceMetrics[] = [];
  try {
    while (r.pos < r.buf.length) {
      const tag = r.tag();
      if (tag === key(1, LEN)) resourceMetrics.push(readResourceMetrics(r, r.lenEnd()));
      else r.skip(tag & 7);
    }
  } catch (err) {
    if (err instanceof ProtoError) {
      throw new IngestError('bad_request', `cannot decode ExportMetricsServiceRequest: ${err.message}`);
    }
    throw err;
  }
  return { resourceMetrics };
}

function readResourceMetrics(r: ProtoReader, end: number): ResourceMetrics {
  const out: ResourceMetrics = { resource: [], scopes: [] };
  r.until(end, (tag) => {
    if (tag === key(1, LEN)) {
      r.until(r.lenEnd(), (t) => {
        if (t === key(1, LEN)) out.resource.push(readKeyValue(r, r.lenEnd()));
        else r.skip(t & 7);
      });
    } else if (tag === key(2, LEN)) out.scopes.push(readScopeMetrics(r, r.lenEnd()));
    else r.skip(tag & 7);
  });
  return out;
}

function readScopeMetrics(r: ProtoReader, end: number): ScopeMetrics {
  const out: ScopeMetrics = { name: '', version: '', attributes: [], schemaUrl: '', metrics: [] };
  r.until(end, (tag) => {
    if (tag === key(1, LEN)) {
      r.until(r.lenEnd(), (t) => {
        if (t === key(1, LEN)) out.name = r.string();
        else if (t === key(2, LEN)) out.version = r.string();
        else if (t === key(3, LEN)) out.attributes.push(readKeyValue(r, r.lenEnd()));
        else r.skip(t & 7);
      });
    } else if (tag === key(2, LEN)) out.metrics.push(readMetric(r, r.lenEnd()));
    else if (tag === key(3, LEN)) out.schemaUrl = r.string();
    else r.skip(tag & 7);
  });
  return out;
}

const KIND_BY_FIELD: Readonly<Record<number, MetricKind>> = {
  5: 'gauge',
  7: 'sum',
  9: 'histogram',
  10: 'exponential_histogram',
  11: 'summary',
};

function readMetric(r: ProtoReader, end: number): OtlpMetric {
  const m: OtlpMetric = {
    name: '',
    description: '',
    unit: '',
    kind: 'none',
    temporality: 0,
    monotonic: false,
    points: [],
  };
  r.until(end, (tag) => {
    const field = tag >>> 3;
    if (tag === key(1, LEN)) m.name = r.string();
    else if (tag === key(2, LEN)) m.description = r.string();
    else if (tag === key(3, LEN)) m.unit = r.string();
    else if (KIND_BY_FIELD[field] !== undefined && (tag & 7) === LEN) {
      m.kind = KIND_BY_FIELD[field]!;
      readData(r, r.lenEnd(), m);
    } else r.skip(tag & 7);
  });
  return m;
}

/** Gauge, Sum, Histogram, ExponentialHistogram, Summary: points = 1, temporality = 2, monotonic = 3. */
function readData(r: ProtoReader, end: number, m: OtlpMetric): void {
  r.until(end, (tag) => {
    if (tag === key(1, LEN)) m.points.push(readPoint(r, r.lenEnd(), m.kind));
    else if (tag === key(2, VARINT)) m.temporality = r.varint();
    else if (tag === key(3, VARINT)) m.monotonic = r.varint() !== 0;
    else r.skip(tag & 7);
  });
}

function readPoint(r: ProtoReader, end: number, kind: MetricKind): DataPoint {
  switch (kind) {
    case 'gauge':
    case 'sum':
      return readNumberPoint(r, end);
    case 'histogram':
      return readHistogramPoint(r, end);
    case 'exponential_histogram':
      return readExpHistogramPoint(r, end);
    default:
      return readSummaryPoint(r, end);
  }
}

/** Fields 2 and 3 of every point kind are the start and end times. Returns true when handled. */
function readTimes(r: ProtoReader, tag: number, p: { startMs: number; timeMs: number }): boolean {
  if (tag === key(2, I64)) p.startMs = r.fixed64NanosToMillis();
  else if (tag === key(3, I64)) p.timeMs = r.fixed64NanosToMillis();
  else return false;
  return true;
}

function readNumberPoint(r: ProtoReader, end: number): NumberPoint {
  const p: NumberPoint = { type: 'number', attributes: [], startMs: 0, timeMs: 0, flags: 0, value: 0 };
  r.until(end, (tag) => {
    if (readTimes(r, tag, p)) return;
    if (tag === key(7, LEN)) p.attributes.push(readKeyValue(r, r.lenEnd()));
    else if (tag === key(4, I64)) p.value = r.double();
    else if (tag === key(6, I64)) p.value = r.sfixed64();
    else if (tag === key(8, VARINT)) p.flags = r.varint();
    else r.skip(tag & 7);
  });
  return p;
}

function readHistogramPoint(r: ProtoReader, end: number): HistogramPoint {
  const p: HistogramPoint = {
    type: 'histogram',
    attributes: [],
    startMs: 0,
    timeMs: 0,
    flags: 0,
    count: 0,
    sum: Number.NaN,
    bucketCounts: [],
    bounds: [],
  };
  r.until(end, (tag) => {
    if (readTimes(r, tag, p)) return;
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 9:
        if (wire !== LEN) return r.skip(wire);
        p.attributes.push(readKeyValue(r, r.lenEnd()));
        return;
      case 4:
        if (wire !== I64) return r.skip(wire);
        p.count = r.fixed64();
        return;
      case 5:
        if (wire !== I64) return r.skip(wire);
        p.sum = r.double();
        return;
      case 6:
        return r.packedFixed64(wire, (v) => p.bucketCounts.push(v));
      case 7:
        return r.packedDoubles(wire, (v) => p.bounds.push(v));
      case 10:
        if (wire !== VARINT) return r.skip(wire);
        p.flags = r.varint();
        return;
      default:
        r.skip(wire);
    }
  });
  return p;
}

function readExpHistogramPoint(r: ProtoReader, end: number): ExpHistogramPoint {
  const p: ExpHistogramPoint = {
    type: 'exponential_histogram',
    attributes: [],
    startMs: 0,
    timeMs: 0,
    flags: 0,
    count: 0,
    sum: Number.NaN,
    scale: 0,
    zeroCount: 0,
    zeroThreshold: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  };
  r.until(end, (tag) => {
    if (readTimes(r, tag, p)) return;
    if (tag === key(1, LEN)) p.attributes.push(readKeyValue(r, r.lenEnd()));
    else if (tag === key(4, I64)) p.count = r.fixed64();
    else if (tag === key(5, I64)) p.sum = r.double();
    else if (tag === key(6, VARINT)) p.scale = r.svarint();
    else if (tag === key(7, I64)) p.zeroCount = r.fixed64();
    else if (tag === key(8, LEN)) readBuckets(r, r.lenEnd(), p.positive);
    else if (tag === key(9, LEN)) readBuckets(r, r.lenEnd(), p.negative);
    else if (tag === key(10, VARINT)) p.flags = r.varint();
    else if (tag === key(14, I64)) p.zeroThreshold = r.double();
    else r.skip(tag & 7);
  });
  return p;
}

function readBuckets(r: ProtoReader, end: number, b: ExpBuckets): void {
  r.until(end, (tag) => {
    if (tag === key(1, VARINT)) b.offset = r.svarint();
    else if (tag >>> 3 === 2) r.packedVarints(tag & 7, (v) => b.counts.push(v));
    else r.skip(tag & 7);
  });
}

function readSummaryPoint(r: ProtoReader, end: number): SummaryPoint {
  const p: SummaryPoint = {
    type: 'summary',
    attributes: [],
    startMs: 0,
    timeMs: 0,
    flags: 0,
    count: 0,
    sum: 0,
    quantiles: [],
  };
  r.until(end, (tag) => {
    if (readTimes(r, tag, p)) return;
    if (tag === key(7, LEN)) p.attributes.push(readKeyValue(r, r.lenEnd()));
    else if (tag === key(4, I64)) p.count = r.fixed64();
    else if (tag === key(5, I64)) p.sum = r.double();
    else if (tag === key(6, LEN)) {
      const q = { quantile: 0, value: 0 };
      r.until(r.lenEnd(), (t) => {
        if (t === key(1, I64)) q.quantile = r.double();
        else if (t === key(2, I64)) q.value = r.double();
        else r.skip(t & 7);
      });
      p.quantiles.push(q);
    } else if (tag === key(8, VARINT)) p.flags = r.varint();
    else r.skip(tag & 7);
  });
  return p;
}

function readKeyValue(r: ProtoReader, end: number): Attribute {
  let k = '';
  let value = '';
  r.until(end, (tag) => {
    if (tag === key(1, LEN)) k = r.string();
    else if (tag === key(2, LEN)) value = anyValueText(readAnyValue(r, r.lenEnd()));
    else r.skip(tag & 7);
  });
  return { key: k, value };
}

type Any = string | boolean | number | Any[] | { [k: string]: Any } | Uint8Array | null;

function readAnyValue(r: ProtoReader, end: number): Any {
  let v: Any = null;
  r.until(end, (tag) => {
    if (tag === key(1, LEN)) v = r.string();
    else if (tag === key(2, VARINT)) v = r.varint() !== 0;
    else if (tag === key(3, VARINT)) v = r.varint();
    else if (tag === key(4, I64)) v = r.double();
    else if (tag === key(5, LEN)) {
      const arr: Any[] = [];
      r.until(r.lenEnd(), (t) => {
        if (t === key(1, LEN)) arr.push(readAnyValue(r, r.lenEnd()));
        else r.skip(t & 7);
      });
      v = arr;
    } else if (tag === key(6, LEN)) {
      const obj: { [k: string]: Any } = {};
      r.until(r.lenEnd(), (t) => {
        if (t === key(1, LEN)) {
          const kv = readKeyValue(r, r.lenEnd());
          obj[kv.key] = kv.value;
        } else r.skip(t & 7);
      });
      v = obj;
    } else if (tag === key(7, LEN)) v = r.bytes();
    else r.skip(tag & 7);
  });
  return v;
}

/** How Prometheus renders a non-string attribute value (pcommon.Value.AsString). */
export function anyValueText(v: Any): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v);
}
