/**
 * What a commit reads of a series for every sample, in arrays indexed by series ref instead of on
 * the series objects. A commit judges every sample before it writes the log and applies any
 * (head_append.ts); with 10 000 series pushed in turn, each series object it reaches is a likely
 * cache miss, and this way the judging pass reaches none in the common case (a sample newer than
 * its series' newest). Refs are small dense integers, and a client sends its series in a stable
 * order, so these reads mostly walk the arrays forwards.
 */

import { grown } from '../../typed.js';

const INITIAL = 1024;

export class SeriesColumns {
  /**
   * Timestamp of the newest in-order sample; -Infinity when none. The only record of it: a sample
   * newer than this goes to the open chunk, any other one out of order.
   */
  newest = new Float64Array(INITIAL).fill(Number.NEGATIVE_INFINITY);
  /** The value stored at `newest`. A Float64Array keeps the stale marker's NaN payload. */
  lastValue = new Float64Array(INITIAL);
  /** The commit that last accepted a sample of the series, and that sample's buffer index. */
  commit = new Float64Array(INITIAL);
  index = new Int32Array(INITIAL);

  /** Makes room for `ref`. */
  ensure(ref: number): void {
    if (ref < this.newest.length) return;
    const size = Math.max(ref + 1, this.newest.length * 2);
    this.newest = grown(this.newest, size, Number.NEGATIVE_INFINITY);
    this.lastValue = grown(this.lastValue, size);
    this.commit = grown(this.commit, size);
    this.index = grown(this.index, size);
  }
}
