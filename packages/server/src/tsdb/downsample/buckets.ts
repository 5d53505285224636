/**
 * Bucket aggregates of one series at one resolution: per aligned bucket, min, max, sum, count,
 * last, and the counter increase (a drop is a reset: the new value counts as the increase, as
 * Prometheus' `increase()` does). Stale markers are skipped: they end a series, they are not values.
 *
 * Raw samples fold into 5-minute buckets; 5-minute buckets fold into 1-hour buckets exactly
 * (min of mins, sum of sums, last of lasts, sum of increases), so the 1h tier never rereads raw data.
 */

import { isStaleNaN } from '../../model/sample.js';
import { doubled } from '../../typed.js';
import { type ChunkEncoder, ChunkIterator } from '../chunkenc/index.js';
import { decodeChunkSeq, encodeChunkSeq } from '../persist/codec.js';

/** Column order in a tier row (see FORMAT.md). */
export const COLUMNS = ['min', 'max', 'sum', 'count', 'last', 'increase'] as const;
export type Column = (typeof COLUMNS)[number];

/** The six columns of materialised buckets, in {@link COLUMNS} order. */
export type BucketColumns = [
  Float64Array,
  Float64Array,
  Float64Array,
  Float64Array,
  Float64Array,
  Float64Array,
];

export class Buckets {
  /** Bucket start times. */
  ts = new Float64Array(16);
  readonly cols: Float64Array[] = COLUMNS.map(() => new Float64Array(16));
  n = 0;
  private prevV = Number.NaN;
  private hasPrev = false;

  constructor(readonly step: number) {}

  reset(): void {
    this.n = 0;
    this.hasPrev = false;
  }

  /**
   * Folds a raw sample in. Samples must come in time order; those before `from` only set the
   * previous value (so the first bucket's increase includes the step from the sample before it).
   */
  addRaw(t: number, v: number, from: number): void {
    if (isStaleNaN(v)) return;
    let inc = 0;
    if (this.hasPrev) inc = v >= this.prevV ? v - this.prevV : v;
    this.prevV = v;
    this.hasPrev = true;
    if (t < from) return;
    this.addBucket(t, v, v, v, 1, v, inc);
  }

  /** Encodes the buckets as a tier row blob: six chunks over the bucket start times. */
  encode(enc: ChunkEncoder): Uint8Array {
    return encodeChunkSeq(this.cols.map((c) => enc.encode(this.ts, c, this.n)!));
  }

  /** Folds a finer bucket in (its start time and its six aggregates); a raw sample is a bucket of one. */
  addBucket(
    t: number,
    min: number,
    max: number,
    sum: number,
    count: number,
    last: number,
    inc: number,
  ): void {
    const b = Math.floor(t / this.step) * this.step;
    const c = this.cols;
    const i = this.n - 1;
    if (i >= 0 && this.ts[i] === b) {
      if (min < c[0]![i]! || Number.isNaN(min)) c[0]![i] = min;
      if (max > c[1]![i]! || Number.isNaN(max)) c[1]![i] = max;
      c[2]![i]! += sum;
      c[3]![i]! += count;
      c[4]![i] = last;
      c[5]![i]! += inc;
      return;
    }
    if (this.n === this.ts.length) this.grow();
    const j = this.n++;
    this.ts[j] = b;
    c[0]![j] = min;
    c[1]![j] = max;
    c[2]![j] = sum;
    c[3]![j] = count;
    c[4]![j] = last;
    c[5]![j] = inc;
  }

  private grow(): void {
    this.ts = doubled(this.ts);
    for (let k = 0; k < this.cols.length; k++) this.cols[k] = doubled(this.cols[k]!);
  }
}

/** Folds every bucket of tier row blobs (finer tier) into `out`, for buckets in [from, to). */
export function foldRows(rows: readonly Uint8Array[], from: number, to: number, out: Buckets): void {
  const its = COLUMNS.map(() => new ChunkIterator());
  for (const blob of rows) {
    let chunks: Uint8Array[];
    try {
      chunks = decodeChunkSeq(blob);
    } catch {
      continue; // a damaged tier row: its buckets are missing, the others are read
    }
    if (chunks.length !== COLUMNS.length) continue;
    for (let k = 0; k < its.length; k++) its[k]!.reset(chunks[k]!);
    const [a, b, c, d, e, f] = its as [
      ChunkIterator,
      ChunkIterator,
      ChunkIterator,
      ChunkIterator,
      ChunkIterator,
      ChunkIterator,
    ];
    while (a.next() && b.next() && c.next() && d.next() && e.next() && f.next()) {
      const t = a.t();
      if (t >= from && t < to) out.addBucket(t, a.v(), b.v(), c.v(), d.v(), e.v(), f.v());
    }
  }
}
