/**
 * Delta temporality turned into cumulative series: OTLP senders that export deltas (the
 * OpenTelemetry SDKs' delta preference, StatsD-like bridges) report how much a sum, a histogram
 * bucket or a count grew since their last export; PromQL's rate() and increase() need the running
 * total. One running total per output series, kept in memory, and rebuilt after a restart from
 * the value last stored for the series ({@link LastStored}): a restart is not a counter reset.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import type { LastStored } from './stored.js';

/** Most series whose totals are remembered; beyond it the least recently updated are forgotten. */
const MAX_SERIES = 1_000_000;

export interface DeltaStateOptions {
  /**
   * Where a series' total starts when it is not in memory (first seen since the start, or
   * forgotten): its newest stored sample. Without it, totals start from the first delta.
   */
  readonly seed?: LastStored;
  readonly maxSeries?: number;
}

export class DeltaState {
  private readonly totals = new Map<string, { t: number; v: number }>();
  private readonly seed: LastStored | undefined;
  private readonly maxSeries: number;

  constructor(options: DeltaStateOptions = {}) {
    this.seed = options.seed;
    this.maxSeries = options.maxSeries ?? MAX_SERIES;
  }

  /**
   * The running total of the series `labels` (sorted, with `__name__`) after adding `delta` at
   * time `t`, or null when `t` is before the last delta of that series, or equal to it unless
   * `sumSameTime` (a repeated or out-of-order export, refused; after a restart, "last" is the
   * newest stored sample, so an export re-sent because its answer was lost is refused too).
   */
  add(labels: Labels, t: number, delta: number, sumSameTime = false): number | null {
    const key = labelsKey(labels);
    let total = this.totals.get(key);
    if (total !== undefined) {
      this.totals.delete(key); // re-inserted below: Map order is then least recently updated first
    } else {
      if (this.totals.size >= this.maxSeries) {
        const oldest = this.totals.keys().next().value;
        if (oldest !== undefined) this.totals.delete(oldest);
      }
      const stored = this.seed?.(labels);
      if (stored === undefined) {
        this.totals.set(key, { t, v: delta });
        return delta;
      }
      total = { t: stored.t, v: stored.v };
    }
    this.totals.set(key, total);
    if (t < total.t || (t === total.t && !sumSameTime)) return null;
    total.t = t;
    total.v += delta;
    return total.v;
  }
}
