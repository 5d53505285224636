/**
 * OTLP metrics in JSON (the protobuf JSON mapping with OTLP's rules: lowerCamelCase field names,
 * 64-bit integers as decimal strings or numbers, enums as integers; see the "JSON Protobuf
 * Encoding" section of the OTLP specification) decoded into the same {@link OtlpRequest} model as
 * the protobuf decoder. A structurally wrong document is a 400; a wrong field inside a data point
 * is reported against that point by the translator, because the value is left NaN.
 */

import { IngestError } from '../errors.js';
import { anyValueText } from './decode_proto.js';
import type {
  Attribute,
  DataPoint,
  ExpBuckets,
  MetricKind,
  OtlpMetric,
  OtlpRequest,
  ResourceMetrics,
  ScopeMetrics,
} from './model.js';

type Json = Record<string, unknown>;

const KINDS: readonly MetricKind[] = ['gauge', 'sum', 'histogram', 'exponential_histogram', 'summary'];
const JSON_KEY: Readonly<Record<string, string>> = {
  gauge: 'gauge',
  sum: 'sum',
  histogram: 'histogram',
  exponential_histogram: 'exponentialHistogram',
  summary: 'summary',
};

class Shape extends Error {}

/** Decodes an OTLP/JSON export request body. */
export function decodeOtlpJson(text: string): OtlpRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new IngestError('bad_request', `cannot parse OTLP JSON: ${(err as Error).message}`);
  }
  try {
    const o = obj(doc, 'request');
    return { resourceMetrics: arr(o.resourceMetrics, 'resourceMetrics').map(resourceMetrics) };
  } catch (err) {
    if (err instanceof Shape) throw new IngestError('bad_request', `cannot decode OTLP JSON: ${err.message}`);
    throw err;
  }
}

function obj(v: unknown, what: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Shape(`${what} must be an object`);
  return v as Json;
}

function arr(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Shape(`${what} must be an array`);
  return v;
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Shape(`${what} must be a string`);
  return v;
}

/** A 64-bit integer field: a decimal string or a number; NaN (and noted) when it is neither. */
function int(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return Number(v);
  badFields.push(`integer ${JSON.stringify(v)?.slice(0, 40)}`);
  return Number.NaN;
}

/** A double field: a number, or "NaN", "Infinity", "-Infinity" as the JSON mapping writes them. */
function dbl(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  badFields.push(`number ${JSON.stringify(v)?.slice(0, 40)}`);
  return Number.NaN;
}

/** Nanoseconds (string or number) as whole milliseconds; NaN when malformed. */
function nanosToMs(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') {
    if (!/^\d{1,20}$/.test(v)) return Number.NaN;
    return v.length <= 6 ? 0 : Number(v.slice(0, -6));
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.floor(v / 1e6);
  badFields.push(`time ${JSON.stringify(v)?.slice(0, 40)}`);
  return Number.NaN;
}

function resourceMetrics(v: unknown): ResourceMetrics {
  const o = obj(v, 'resourceMetrics[]');
  const res = obj(o.resource, 'resource');
  return {
    resource: attributes(res.attributes),
    scopes: arr(o.scopeMetrics, 'scopeMetrics').map(scopeMetrics),
  };
}

function scopeMetrics(v: unknown): ScopeMetrics {
  const o = obj(v, 'scopeMetrics[]');
  const scope = obj(o.scope, 'scope');
  return {
    name: str(scope.name, 'scope.name'),
    version: str(scope.version, 'scope.version'),
    attributes: attributes(scope.attributes),
    schemaUrl: str(o.schemaUrl, 'schemaUrl'),
    metrics: arr(o.metrics, 'metrics').map(metric),
  };
}

function metric(v: unknown): OtlpMetric {
  const o = obj(v, 'metrics[]');
  const m: OtlpMetric = {
    name: str(o.name, 'metric name'),
    description: str(o.description, 'description'),
    unit: str(o.unit, 'unit'),
    kind: 'none',
    temporality: 0,
    monotonic: false,
    points: [],
  };
  for (const kind of KINDS) {
    const data = o[JSON_KEY[kind]!];
    if (data === undefined || data === null) continue;
    const d = obj(data, kind);
    m.kind = kind;
    m.temporality = int(d.aggregationTemporality);
    m.monotonic = d.isMonotonic === true;
    for (const p of arr(d.dataPoints, 'dataPoints')) m.points.push(point(obj(p, 'dataPoints[]'), kind));
    break;
  }
  return m;
}

/** Names of the malformed fields of the point being decoded. */
let badFields: string[] = [];

function point(o: Json, kind: MetricKind): DataPoint {
  badFields = [];
  const p = pointFields(o, kind);
  if (badFields.length > 0) p.invalid = `malformed ${badFields.join(', ')}`;
  return p;
}

function pointFields(o: Json, kind: MetricKind): DataPoint {
  const base = {
    attributes: attributes(o.attributes),
    startMs: nanosToMs(o.startTimeUnixNano),
    timeMs: nanosToMs(o.timeUnixNano),
    flags: int(o.flags),
  };
  switch (kind) {
    case 'gauge':
    case 'sum':
      return { type: 'number', ...base, value: o.asInt !== undefined ? int(o.asInt) : dbl(o.asDouble) };
    case 'histogram':
      return {
        type: 'histogram',
        ...base,
        count: int(o.count),
        sum: o.sum === undefined ? Number.NaN : dbl(o.sum),
        bucketCounts: arr(o.bucketCounts, 'bucketCounts').map(int),
        bounds: arr(o.explicitBounds, 'explicitBounds').map(dbl),
      };
    case 'exponential_histogram':
      return {
        type: 'exponential_histogram',
        ...base,
        count: int(o.count),
        sum: o.sum === undefined ? Number.NaN : dbl(o.sum),
        scale: int(o.scale),
        zeroCount: int(o.zeroCount),
        zeroThreshold: dbl(o.zeroThreshold),
        positive: buckets(o.positive),
        negative: buckets(o.negative),
      };
    default:
      return {
        type: 'summary',
        ...base,
        count: int(o.count),
        sum: dbl(o.sum),
        quantiles: arr(o.quantileValues, 'quantileValues').map((q) => {
          const qo = obj(q, 'quantileValues[]');
          return { quantile: dbl(qo.quantile), value: dbl(qo.value) };
        }),
      };
  }
}

function buckets(v: unknown): ExpBuckets {
  const o = obj(v, 'buckets');
  return { offset: int(o.offset), counts: arr(o.bucketCounts, 'bucketCounts').map(int) };
}

function attributes(v: unknown): Attribute[] {
  return arr(v, 'attributes').map((kv) => {
    const o = obj(kv, 'attributes[]');
    return { key: str(o.key, 'attribute key'), value: anyValueText(anyValue(o.value)) };
  });
}

type Any = Parameters<typeof anyValueText>[0];

function anyValue(v: unknown): Any {
  const o = obj(v, 'attribute value');
  if (o.stringValue !== undefined) return str(o.stringValue, 'stringValue');
  if (o.boolValue !== undefined) return o.boolValue === true;
  if (o.intValue !== undefined) return int(o.intValue);
  if (o.doubleValue !== undefined) return dbl(o.doubleValue);
  if (o.bytesValue !== undefined) return Buffer.from(str(o.bytesValue, 'bytesValue'), 'base64');
  if (o.arrayValue !== undefined) return arr(obj(o.arrayValue, 'arrayValue').values, 'values').map(anyValue);
  if (o.kvlistValue !== undefined) {
    const out: { [k: string]: Any } = {};
    for (const kv of arr(obj(o.kvlistValue, 'kvlistValue').values, 'values')) {
      const e = obj(kv, 'kvlistValue.values[]');
      out[str(e.key, 'key')] = anyValue(e.value);
    }
    return out;
  }
  return null;
}
