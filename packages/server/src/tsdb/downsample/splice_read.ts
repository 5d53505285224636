/**
 * Reads by what exists: raw samples wherever raw data is kept, the 5m tier only where retention
 * deleted the raw data, the 1h tier only where it deleted the 5m tier too, spliced at the
 * boundaries. The step of a query never changes what is read, so a range covered by raw data
 * answers exactly as raw data at every step.
 *
 * Where a tier stands in for raw data, each bucket becomes as many samples as it aggregated
 * (`count`), spread evenly over the bucket, so that the density of samples does not jump at a
 * splice (PromQL's `rate()` extrapolates by the average sample interval) and counts over whole
 * buckets are exact. Their values are shaped for the function around the selector
 * (`SelectHints.func`), so that its answer approximates the answer over the deleted raw data (the
 * measured tolerance is in tsdb/README.md):
 *
 * - `rate`/`increase`/`irate`: a counter rising linearly through each bucket by the bucket's
 *   increase (resets handled), anchored so that without resets it ends each bucket at the raw
 *   counter's last value there and continues into the raw samples after the splice;
 * - `min_over_time`/`max_over_time`: the bucket's min/max;
 * - anything else (`sum_over_time`, `avg_over_time`, a raw selector, …): the bucket's mean, so
 *   sums and means over whole buckets are exact too.
 */

import type { SampleIterator, Series } from '../../storage/types.js';
import { ChunkSeriesIterator } from '../head/iterator.js';
import type { MemSeries } from '../head/series.js';
import type { ChunkStore } from '../persist/store.js';
import { Buckets, foldRows } from './buckets.js';
import { TIER_STEP_MS } from './downsampler.js';
import { type Aggregate, ArrayIterator } from './tier_read.js';

/** Where each resolution is complete: raw samples at and after `raw`, 5m buckets at and after `fiveMin`. */
export interface ReadCuts {
  readonly raw: number;
  readonly fiveMin: number;
}

/** The bucket-aligned splice points: 1h buckets end by `oneHour`, 5m ones by `raw`, raw from `raw`. */
export interface Splice {
  readonly oneHour: number;
  readonly raw: number;
}

/**
 * The splice points for `cuts`. Rounding up keeps every resolution complete: a tier's progress
 * is aligned to its windows, which are whole buckets, and retention never deletes past it.
 */
export function splicePoints(cuts: ReadCuts): Splice {
  const up = (t: number, step: number) => (Number.isFinite(t) ? Math.ceil(t / step) * step : t);
  const raw = up(cuts.raw, TIER_STEP_MS['5m']);
  return { raw, oneHour: Math.min(raw, up(cuts.fiveMin, TIER_STEP_MS['1h'])) };
}

/** A series read by what exists over [mint, maxt]: tier buckets before `splice.raw`, raw samples after. */
export class SplicedSeries implements Series {
  constructor(
    private readonly store: ChunkStore,
    private readonly s: MemSeries,
    private readonly splice: Splice,
    private readonly aggregate: Aggregate,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  get labels() {
    return this.s.labels;
  }

  iterator(_reuse?: SampleIterator): SampleIterator {
    const out = new Samples();
    const { oneHour, raw } = this.splice;
    const ref = this.s.ref;
    const hourly = new Buckets(TIER_STEP_MS['1h']);
    const fine = new Buckets(TIER_STEP_MS['5m']);
    if (this.mint < oneHour) {
      const from = Math.floor(this.mint / TIER_STEP_MS['1h']) * TIER_STEP_MS['1h'];
      foldRows(this.store.rows('1h', ref, from, oneHour - 1), from, oneHour, hourly);
    }
    if (this.mint < raw && this.maxt >= oneHour) {
      const from = Math.max(Math.floor(this.mint / TIER_STEP_MS['5m']) * TIER_STEP_MS['5m'], oneHour);
      foldRows(this.store.rows('5m', ref, from, raw - 1), from, raw, fine);
    }
    this.buckets([hourly, fine], out);
    if (this.maxt >= raw) {
      const from = Math.max(this.mint, raw);
      const s = this.s;
      const chunks =
        s.diskMinT <= this.maxt && s.diskMaxT >= from ? this.store.chunks(ref, from, this.maxt) : [];
      s.memChunks(from, this.maxt, chunks);
      const it = new ChunkSeriesIterator().reset(chunks, from, this.maxt);
      while (it.next()) out.push(it.t(), it.v());
    }
    return out.iterator();
  }

  /** The samples standing in for the buckets (see the file comment), in time order. */
  private buckets(tiers: readonly Buckets[], out: Samples): void {
    const agg = this.aggregate;
    // The counter is anchored at the last bucket: walk back from its last value by increases.
    let total = 0;
    let lastValue = 0;
    for (const b of tiers) {
      for (let i = 0; i < b.n; i++) {
        total += b.cols[5]![i]!;
        lastValue = b.cols[4]![i]!;
      }
    }
    let counter = lastValue - total;
    for (const b of tiers) {
      const [min, max, sum, count, , inc] = b.cols as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      for (let i = 0; i < b.n; i++) {
        const rise = inc[i]!;
        const from = counter;
        counter += rise;
        const start = b.ts[i]!;
        if (start + b.step - 1 < this.mint || start > this.maxt) continue;
        const n = count[i]!;
        const flat = agg === 'min' ? min[i]! : agg === 'max' ? max[i]! : sum[i]! / n;
        for (let k = 1; k <= n; k++) {
          const t = start + Math.floor((k * b.step) / n) - 1;
          if (t < this.mint || t > this.maxt) continue;
          out.push(t, agg === 'counter' ? (k === n ? counter : from + (rise * k) / n) : flat);
        }
      }
    }
  }
}

/** A growable pair of sample arrays. */
class Samples {
  private ts = new Float64Array(64);
  private vs = new Float64Array(64);
  private n = 0;

  push(t: number, v: number): void {
    if (this.n === this.ts.length) {
      const ts = new Float64Array(this.n * 2);
      ts.set(this.ts);
      this.ts = ts;
      const vs = new Float64Array(this.n * 2);
      vs.set(this.vs);
      this.vs = vs;
    }
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
  }

  iterator(): ArrayIterator {
    return new ArrayIterator(this.ts, this.vs, this.n);
  }
}
