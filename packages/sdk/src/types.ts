/** A label value as callers pass it; numbers (e.g. an HTTP status) are turned into strings. */
export type LabelValue = string | number;

/**
 * The labels of one series of an instrument defined with label names `L`.
 * Every name is optional: a missing label is an empty one, which Prometheus treats as absent.
 * An instrument defined without label names takes no labels.
 */
export type LabelSet<L extends string> = [L] extends [never]
  ? Readonly<Record<string, never>>
  : { readonly [K in L]?: LabelValue };

/** The three instrument kinds of the TinyObs wire format. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * One point as it is pushed to `POST /v1/ingest`. Histograms are sent as separate
 * `<name>_bucket{le}`, `<name>_sum` and `<name>_count` points of type `histogram`.
 */
export interface MetricPoint {
  /** Series name, e.g. `http_requests_total` or `http_request_duration_seconds_bucket`. */
  name: string;
  /** Instrument kind. */
  type: MetricType;
  /** Current value: cumulative for counters and histograms. */
  value: number;
  /** All labels, `service` and default labels included, empty values omitted. */
  labels: Record<string, string>;
  /** Milliseconds since the epoch when the point was collected. */
  timestamp: number;
  /** Help text (sent with the first point of each metric in a request). */
  help?: string;
  /** Unit (sent with the first point of each metric in a request). */
  unit?: string;
}

/** Where instruments write their current state during a collection. */
export type PointSink = (point: MetricPoint) => void;

/**
 * What became of the data a `flush()` or `shutdown()` waited for, in points: the batches that
 * were still pending when it was called, and the one it pushed.
 */
export interface FlushResult {
  /** Points the server acknowledged. */
  sent: number;
  /**
   * Points dropped: refused by the server (then the promise rejects), pushed out of a full queue
   * (superseded by newer cumulative values), or still queued when `shutdown()` gave up.
   */
  dropped: number;
  /**
   * Points still queued or in flight when the wait ended: non-zero only on a `flush_timeout`
   * (after `flush()` they are retried; after `shutdown()` only the batch in flight may still land).
   */
  retrying: number;
}
