/**
 * Reading a downsampled tier as it is (`SelectHints.tier`; queries without it read by what exists,
 * see `splice_read.ts`). A tier series holds one sample per bucket, at the last millisecond
 * of the bucket (`start + step - 1`, so a PromQL lookback ending at the bucket's end sees it),
 * whose value is one aggregate of the raw samples of the bucket:
 *
 * | aggregate  | value                                                       | picked for `func`  |
 * |------------|-------------------------------------------------------------|--------------------|
 * | `last`     | last raw value                                              | default            |
 * | `min`/`max`| smallest / largest raw value                                | `min_over_time` / `max_over_time` |
 * | `sum`/`count`/`avg` | sum, number, mean of the raw values                | `sum_over_time`, `count_over_time`, `avg_over_time` |
 * | `increase` | counter increase inside the bucket (resets handled)         | —                  |
 * | `counter`  | running sum of `increase` from the first bucket read: a synthetic counter whose `rate()`/`increase()` equal the raw ones | `rate`, `increase`, `irate` |
 *
 * Buckets before the tier's progress mark come from its rows; later ones are aggregated from raw
 * samples on the fly, so a tier read covers the whole range and agrees with what the tier will hold.
 */

import type { SampleIterator, SelectHints, Series } from '../../storage/types.js';
import { ChunkSeriesIterator } from '../head/iterator.js';
import type { MemSeries } from '../head/series.js';
import type { ChunkStore } from '../persist/store.js';
import { ROW_MAX_SPAN_MS } from '../persist/store.js';
import { Buckets, foldRows } from './buckets.js';
import { type DownTier, TIER_STEP_MS } from './downsampler.js';

export type Aggregate = NonNullable<SelectHints['aggregate']>;

/** The aggregate a PromQL function needs from bucket data. */
export function aggregateFor(func: string | undefined): Aggregate {
  switch (func) {
    case 'rate':
    case 'increase':
    case 'irate':
      return 'counter';
    case 'min_over_time':
      return 'min';
    case 'max_over_time':
      return 'max';
    case 'sum_over_time':
      return 'sum';
    case 'count_over_time':
      return 'count';
    case 'avg_over_time':
      return 'avg';
    default:
      return 'last';
  }
}

export class TierSeries implements Series {
  readonly tier: DownTier;

  constructor(
    private readonly store: ChunkStore,
    private readonly s: MemSeries,
    tier: DownTier,
    private readonly done: number,
    private readonly aggregate: Aggregate,
    private readonly mint: number,
    private readonly maxt: number,
  ) {
    this.tier = tier;
  }

  get labels() {
    return this.s.labels;
  }

  iterator(_reuse?: SampleIterator): SampleIterator {
    const step = TIER_STEP_MS[this.tier];
    const from = Math.floor(this.mint / step) * step;
    const b = new Buckets(step);
    if (from < this.done)
      foldRows(this.store.rows(this.tier, this.s.ref, from, this.done - 1), from, this.done, b);
    const tail = Math.max(from, this.done);
    if (tail <= this.maxt) {
      const lookback = ROW_MAX_SPAN_MS[this.tier];
      const s = this.s;
      const chunks =
        s.diskMinT <= this.maxt && s.diskMaxT >= tail - lookback
          ? this.store.chunks(s.ref, tail - lookback, this.maxt)
          : [];
      s.memChunks(tail - lookback, this.maxt, chunks);
      const it = new ChunkSeriesIterator().reset(chunks, tail - lookback, this.maxt);
      while (it.next()) b.addRaw(it.t(), it.v(), tail);
    }
    return bucketSamples(b, this.aggregate, this.mint, this.maxt);
  }
}

/** One aggregate of materialised buckets, at each bucket's last millisecond, within [mint, maxt]. */
function bucketSamples(b: Buckets, agg: Aggregate, mint: number, maxt: number): ArrayIterator {
  const ts = new Float64Array(b.n);
  const vs = new Float64Array(b.n);
  const [min, max, sum, count, last, inc] = b.cols as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  let n = 0;
  let running = 0;
  for (let i = 0; i < b.n; i++) {
    const t = b.ts[i]! + b.step - 1;
    if (t < mint || t > maxt) continue;
    running += inc[i]!;
    ts[n] = t;
    vs[n] =
      agg === 'min'
        ? min[i]!
        : agg === 'max'
          ? max[i]!
          : agg === 'sum'
            ? sum[i]!
            : agg === 'count'
              ? count[i]!
              : agg === 'avg'
                ? sum[i]! / count[i]!
                : agg === 'increase'
                  ? inc[i]!
                  : agg === 'counter'
                    ? running
                    : last[i]!;
    n++;
  }
  return new ArrayIterator(ts, vs, n);
}

/** Iterates samples held in two arrays (ascending times). */
export class ArrayIterator implements SampleIterator {
  private i = -1;

  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
    private readonly n: number,
  ) {}

  next(): boolean {
    if (this.i < this.n) this.i++;
    return this.i < this.n;
  }

  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    while (this.i < this.n && this.ts[this.i]! < t) this.i++;
    return this.i < this.n;
  }

  t(): number {
    return this.ts[this.i]!;
  }

  v(): number {
    return this.vs[this.i]!;
  }

  err(): Error | null {
    return null;
  }
}
