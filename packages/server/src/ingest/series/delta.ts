/**
 * Delta temporality turned into cumulative series: OTLP senders that export deltas (the
 * OpenTelemetry SDKs' delta preference, StatsD-like bridges) report how much a sum, a histogram
 * bucket or a count grew since their last export; PromQL's rate() and increase() need the running
 * total. One running total per output series, kept in memory by the server (after a restart the
 * totals start again from the next delta, which rate() reads as a counter reset).
 */

/** Most series whose totals are remembered; beyond it the least recently updated are forgotten. */
const MAX_SERIES = 1_000_000;

export class DeltaState {
  private readonly totals = new Map<string, { t: number; v: number }>();

  constructor(private readonly maxSeries = MAX_SERIES) {}

  /**
   * The running total of the series `key` after adding `delta` at time `t`, or null when `t` is
   * before the last delta of that series, or equal to it unless `sumSameTime` (a repeated or
   * out-of-order export, refused).
   */
  add(key: string, t: number, delta: number, sumSameTime = false): number | null {
    const prev = this.totals.get(key);
    if (prev !== undefined) {
      if (t < prev.t || (t === prev.t && !sumSameTime)) return null;
      this.totals.delete(key); // re-inserted below: Map order is then least recently updated first
      prev.t = t;
      prev.v += delta;
      this.totals.set(key, prev);
      return prev.v;
    }
    if (this.totals.size >= this.maxSeries) {
      const oldest = this.totals.keys().next().value;
      if (oldest !== undefined) this.totals.delete(oldest);
    }
    this.totals.set(key, { t, v: delta });
    return delta;
  }
}
