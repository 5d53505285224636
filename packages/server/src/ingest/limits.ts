/**
 * Limits on what one ingest request may carry. They protect the server from a runaway client;
 * each has a flag and an environment variable (see config.ts) and is named in the error a client
 * gets when it is exceeded.
 */

export interface IngestLimits {
  /** Largest request body accepted, compressed size as received (413 above). */
  readonly maxBodyBytes: number;
  /** Largest body after decompression (413 above): guards against gzip bombs. */
  readonly maxDecompressedBytes: number;
  /** Most metric points in one request (400 above). */
  readonly maxMetricsPerRequest: number;
  /** Most labels on one point, not counting the metric name. */
  readonly maxLabelsPerMetric: number;
  /** Longest metric or label name, in characters. */
  readonly maxNameLength: number;
  /** Longest label value, in characters. */
  readonly maxLabelValueLength: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
  // The original TinyObs allowed 1 000, but its SDK can send more in one batch.
  maxMetricsPerRequest: 50_000,
  maxLabelsPerMetric: 30,
  maxNameLength: 256,
  maxLabelValueLength: 2048,
};
