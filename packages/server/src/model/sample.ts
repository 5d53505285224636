/** Sample values, staleness and metric metadata. */

/** The metric types TinyObs stores metadata for (Prometheus' exposition types). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';

/** Type, help and unit of a metric family, as received at ingest. */
export interface MetricMetadata {
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

/**
 * Prometheus' staleness marker: a NaN with a specific bit pattern (0x7ff0000000000002), which
 * ordinary arithmetic never produces. It marks a series as ended; storage must keep its bits.
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const scratch = new DataView(new ArrayBuffer(8));

/** The staleness marker as a float64. */
export const STALE_NAN: number = (() => {
  scratch.setBigUint64(0, STALE_NAN_BITS);
  return scratch.getFloat64(0);
})();

/** True when `v` carries the staleness marker bit pattern (not merely any NaN). */
export function isStaleNaN(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  scratch.setFloat64(0, v);
  return scratch.getBigUint64(0) === STALE_NAN_BITS;
}

const bitsA = new Float64Array(1);
const bitsAView = new BigUint64Array(bitsA.buffer);

/** True when two floats have the same bit pattern (so a NaN equals only the same NaN). */
export function sameFloatBits(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  if (!Number.isNaN(a) || !Number.isNaN(b)) return false;
  bitsA[0] = a;
  const x = bitsAView[0];
  bitsA[0] = b;
  return x === bitsAView[0];
}
