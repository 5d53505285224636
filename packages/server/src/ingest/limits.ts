/**
 * Limits on what one ingest request may carry, the same for every wire format. They protect the
 * server from a runaway or hostile client; each has a flag (config/settings.ts) and is named,
 * with its value, in the error a client gets when it is exceeded.
 */

export interface IngestLimits {
  /** Largest request body accepted, compressed size as received (413 above). `--max-body-size` */
  readonly maxBodyBytes: number;
  /** Largest body after decompression (413 above): guards against gzip bombs. */
  readonly maxDecompressedBytes: number;
  /** Most samples (points) in one request (413 above). `--max-samples-per-request` */
  readonly maxSamplesPerRequest: number;
  /** Most labels on one series, not counting the metric name. `--max-labels-per-series` */
  readonly maxLabelsPerSeries: number;
  /** Longest metric or label name, in UTF-16 code units. `--max-name-length` */
  readonly maxNameLength: number;
  /** Longest label value, in UTF-16 code units. `--max-label-value-length` */
  readonly maxLabelValueLength: number;
  /** Longest `help` text of a metric family. `--max-help-length` */
  readonly maxHelpLength: number;
  /** Longest `unit` of a metric family. `--max-unit-length` */
  readonly maxUnitLength: number;
  /** Series limits enforced by storage, here only to be named in the 429 message. */
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
}

/**
 * The range of sample timestamps (ms) ingest accepts: 1970-01-01T00:00:00Z up to the last second
 * the query API takes as a time parameter, 2262-04-11T23:47:16Z (Prometheus' bound: int64
 * nanoseconds). A sample outside it could be acknowledged but never read back, so it is refused
 * instead; it is also what a client sending seconds or nanoseconds instead of milliseconds hits.
 * (How far into the future relative to now is storage's rule, `--max-future`.)
 */
export const MIN_TIMESTAMP_MS = 0;
export const MAX_TIMESTAMP_MS = 9_223_372_036_000;

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
  // The original TinyObs allowed 1 000, but its SDK can send more in one batch.
  maxSamplesPerRequest: 50_000,
  maxLabelsPerSeries: 30,
  maxNameLength: 256,
  maxLabelValueLength: 2048,
  maxHelpLength: 4096,
  maxUnitLength: 64,
  maxSeries: 1_000_000,
  maxSeriesPerMetric: 100_000,
};
