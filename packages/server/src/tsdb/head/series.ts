/**
 * One series in the head: its identity and its samples in time order.
 *
 * Samples live in two parallel growable typed arrays (no object per sample, and NaN bits kept).
 */

import type { Labels } from '../../model/labels.js';

const INITIAL_CAPACITY = 16;

export class MemSeries {
  ts: Float64Array = new Float64Array(INITIAL_CAPACITY);
  vs: Float64Array = new Float64Array(INITIAL_CAPACITY);
  n = 0;
  /** True once the series record is in the write-ahead log (samples may then refer to it). */
  logged = false;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
  ) {}

  /** Timestamp of the newest sample, or -Infinity when empty. */
  maxTime(): number {
    return this.n === 0 ? Number.NEGATIVE_INFINITY : this.ts[this.n - 1]!;
  }

  /** Value of the newest sample (undefined when empty). */
  lastValue(): number | undefined {
    return this.n === 0 ? undefined : this.vs[this.n - 1];
  }

  /** The value stored at exactly `t`, or undefined. */
  valueAt(t: number): number | undefined {
    const i = this.lowerBound(t);
    return i < this.n && this.ts[i] === t ? this.vs[i] : undefined;
  }

  /**
   * Stores a sample. Newer than every stored one: appended; older: inserted in place (the
   * caller checked the out-of-order window); an existing timestamp is left as it is.
   */
  push(t: number, v: number): void {
    if (this.n === this.ts.length) this.grow();
    if (this.n === 0 || t > this.ts[this.n - 1]!) {
      this.ts[this.n] = t;
      this.vs[this.n] = v;
      this.n++;
      return;
    }
    const i = this.lowerBound(t);
    if (this.ts[i] === t) return;
    this.ts.copyWithin(i + 1, i, this.n);
    this.vs.copyWithin(i + 1, i, this.n);
    this.ts[i] = t;
    this.vs[i] = v;
    this.n++;
  }

  /** Index of the first sample with timestamp >= t (n when none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const ts = new Float64Array(this.ts.length * 2);
    ts.set(this.ts);
    const vs = new Float64Array(this.vs.length * 2);
    vs.set(this.vs);
    this.ts = ts;
    this.vs = vs;
  }
}
