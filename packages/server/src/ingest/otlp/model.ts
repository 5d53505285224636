/**
 * An OTLP `ExportMetricsServiceRequest` as the protobuf and JSON decoders produce it and the
 * translator reads it: only the fields TinyObs uses, times in milliseconds, attribute values as
 * the strings Prometheus makes of them.
 */

export interface Attribute {
  readonly key: string;
  /** Strings as sent; other values as Prometheus' translator renders them (JSON for arrays). */
  readonly value: string;
}

export interface OtlpRequest {
  readonly resourceMetrics: ResourceMetrics[];
}

export interface ResourceMetrics {
  readonly resource: Attribute[];
  readonly scopes: ScopeMetrics[];
}

/** An instrumentation scope (the meter: a library's name and version) and its metrics. */
export interface ScopeMetrics {
  name: string;
  version: string;
  /** The scope's attributes (`InstrumentationScope.attributes`). */
  readonly attributes: Attribute[];
  /** `ScopeMetrics.schema_url`. */
  schemaUrl: string;
  readonly metrics: OtlpMetric[];
}

export type MetricKind = 'none' | 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

/** AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export const DELTA = 1;
export const CUMULATIVE = 2;

/** Data point flag: no recorded value (the series ended; becomes a staleness marker). */
export const FLAG_NO_RECORDED_VALUE = 1;

export interface OtlpMetric {
  name: string;
  description: string;
  unit: string;
  kind: MetricKind;
  temporality: number;
  monotonic: boolean;
  readonly points: DataPoint[];
}

interface PointBase {
  readonly attributes: Attribute[];
  startMs: number;
  timeMs: number;
  flags: number;
  /** Set by the JSON decoder when a field of the point is malformed: what is wrong. */
  invalid?: string;
}

export interface NumberPoint extends PointBase {
  readonly type: 'number';
  value: number;
}

export interface HistogramPoint extends PointBase {
  readonly type: 'histogram';
  count: number;
  /** Absent (NaN) when the sender did not set it. */
  sum: number;
  readonly bucketCounts: number[];
  readonly bounds: number[];
}

export interface ExpBuckets {
  offset: number;
  readonly counts: number[];
}

export interface ExpHistogramPoint extends PointBase {
  readonly type: 'exponential_histogram';
  count: number;
  sum: number;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  readonly positive: ExpBuckets;
  readonly negative: ExpBuckets;
}

export interface SummaryPoint extends PointBase {
  readonly type: 'summary';
  count: number;
  sum: number;
  readonly quantiles: { quantile: number; value: number }[];
}

export type DataPoint = NumberPoint | HistogramPoint | ExpHistogramPoint | SummaryPoint;
