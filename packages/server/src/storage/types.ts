/**
 * The contracts between the stages of the server, in the spirit of Prometheus'
 * `storage/interface.go`. Ingest handlers see storage only through {@link Appendable}; the PromQL
 * engine and the HTTP API see it only through {@link Queryable}. The embedded database (`tsdb/`)
 * implements both; a remote store or a test double could too.
 *
 * Timestamps are integer milliseconds since the Unix epoch in a JS number (exact up to 2^53).
 */

import type { Labels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import type { MetricMetadata } from '../model/sample.js';

/**
 * A stable id of a series inside one database; 0 means "unknown, look it up by labels". Below
 * 2^32: appenders and ingest batches keep refs in Uint32Arrays.
 */
export type SeriesRef = number;

/** Why a sample was not stored. Counted per reason and reported by ingest. */
export type RejectReason =
  | 'duplicate_timestamp' // same timestamp as a stored sample, different value
  | 'too_many_series' // a series limit (total or per metric) would be exceeded
  | 'too_old' // older than raw retention keeps (see CommitResult.oldestAccepted)
  | 'too_far_future'; // further ahead of the server's clock than the future limit (see CommitResult.newestAccepted)

/** What a committed batch did. */
export interface CommitResult {
  /** Samples now stored (duplicates of stored samples with the same value count as stored). */
  readonly appended: number;
  /** Samples refused, by reason. */
  readonly rejected: Readonly<Partial<Record<RejectReason, number>>>;
  /** With `too_many_series`: the metric names whose new series were refused (for a 429 message). */
  limitedMetrics?: readonly string[];
  /** With `too_old`: the oldest timestamp (ms) the database accepted at this commit. */
  oldestAccepted?: number;
  /** With `too_far_future`: how far ahead of its clock (ms) the database accepts samples. */
  maxFutureMs?: number;
}

/** Something that hands out appenders: the database, or a forwarder in front of it. */
export interface Appendable {
  appender(): Appender;
}

/**
 * A batch of samples. Nothing appended is visible to queries or durable until {@link commit}
 * resolves; a batch is written to the write-ahead log as one unit. Appending never throws on bad
 * data: a sample that cannot be stored is counted in the commit result.
 */
export interface Appender {
  /**
   * Adds a sample. `labels` must be sorted and valid (ingest validates); `ref` may be a ref
   * returned earlier for the same labels to skip the lookup, or 0. Returns the series ref.
   */
  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef;
  /** Records type/help/unit for a metric family (by metric name, without `_bucket` etc.). */
  setMetadata(metric: string, meta: MetricMetadata): void;
  /** Makes the batch durable (in the WAL) and visible. Rejects with a typed error when it cannot. */
  commit(): Promise<CommitResult>;
  /** Discards the batch. */
  rollback(): void;
}

/** Optional hints that let storage pick a cheaper plan (a downsampled tier, fewer chunks). */
export interface SelectHints {
  /** Start and end of the data the caller will read, in ms (may be narrower than the querier's). */
  readonly start?: number;
  readonly end?: number;
  /** Step of a range query in ms, if any (informational: it never changes what is read). */
  readonly step?: number;
  /** The PromQL function around the selector (`rate`, `max_over_time`, …), if any. */
  readonly func?: string;
  /** Range of a range selector in ms, if any. */
  readonly range?: number;
  /**
   * Forces a resolution: `raw` samples, or the `5m`/`1h` downsampled tier (one sample per bucket,
   * see tsdb/downsample/tier_read.ts). Without it, storage reads by what exists, never by `step`:
   * raw samples wherever raw data is kept, tiers only where retention deleted it
   * (tsdb/downsample/splice_read.ts).
   */
  readonly tier?: 'raw' | '5m' | '1h';
  /**
   * For tier reads: which bucket aggregate to return (`min`, `max`, `sum`, `count`, `avg`, `last`,
   * `increase`, or `counter`, a running sum of increases). Default: derived from `func`, else `last`.
   */
  readonly aggregate?: 'min' | 'max' | 'sum' | 'count' | 'avg' | 'last' | 'increase' | 'counter';
}

/** Something that can be queried over a time range. */
export interface Queryable {
  /** A querier over samples with `mint <= t <= maxt`. */
  querier(mint: number, maxt: number): Querier;
}

/** A read view over a time range. Close it when done so storage can release what it holds. */
export interface Querier {
  /** Series matching all matchers (at least one must not match the empty string), sorted by labels. */
  select(matchers: readonly Matcher[], hints?: SelectHints): SeriesSet;
  /** Label names present on series matching the matchers (all series when none), sorted. */
  labelNames(matchers?: readonly Matcher[]): string[];
  /** Values of `name` on series matching the matchers, sorted. */
  labelValues(name: string, matchers?: readonly Matcher[]): string[];
  /** Metadata by metric family name; only `metric` when given. */
  metadata(metric?: string): Map<string, MetricMetadata>;
  close(): void;
}

/** A lazy sequence of series. */
export interface SeriesSet {
  next(): boolean;
  at(): Series;
  /** The error that ended iteration early, if any. */
  err(): Error | null;
}

/** One series within a querier's time range. */
export interface Series {
  readonly labels: Labels;
  /** Set when the samples are bucket aggregates of a downsampled tier rather than raw samples. */
  readonly tier?: '5m' | '1h';
  /** A fresh iterator over the samples, or `reuse` reset onto this series. */
  iterator(reuse?: SampleIterator): SampleIterator;
}

/**
 * Iterates samples in ascending time order. After `next()` or `seek()` returned true, `t()` and
 * `v()` give the current sample.
 */
export interface SampleIterator {
  next(): boolean;
  /** Advances to the first sample with timestamp >= t (never moves backwards). */
  seek(t: number): boolean;
  t(): number;
  v(): number;
  err(): Error | null;
}

/** A series set over an array, for stores and tests that hold series in memory. */
export function arraySeriesSet(series: readonly Series[]): SeriesSet {
  let i = -1;
  return {
    next: () => ++i < series.length,
    at: () => series[i]!,
    err: () => null,
  };
}

/** The empty series set. */
export const EMPTY_SERIES_SET: SeriesSet = arraySeriesSet([]);
