/**
 * The streaming path of instant vector selectors: each series' iterator is walked once, in step
 * with the (ascending) evaluation times, keeping only the newest sample seen, so no per-series
 * buffers are copied out of storage.
 */

import type { Labels } from '../../model/labels.js';
import { isStaleNaN } from '../../model/sample.js';
import type { Querier, SampleIterator, SelectHints } from '../../storage/types.js';
import type { VectorSelector } from '../parser/ast.js';
import type { QueryContext } from './context.js';
import type { EvalSeries } from './types.js';

/** A series' points as step indices and values, in reused buffers valid only during the call. */
export type InstantSeriesFn = (labels: Labels, steps: Int32Array, vs: Float64Array, n: number) => void;

/**
 * Reused per-series buffers (one point per step at most). A query yields only between series,
 * after `fn` is done with them, so one set serves every query; they only grow.
 */
let scratchIdx = new Int32Array(256);
let scratchV = new Float64Array(256);

/**
 * For every step i, the newest sample in `(ends[i] - lookback, ends[i]]` of each matching series,
 * unless it is a stale marker, passed to `fn` per series as (step index, value) pairs. With
 * `sampleTimes` the value is the sample's timestamp in seconds. `ends` must not decrease.
 * `onSeries` gets the number of points of all series so far (for the sample limit).
 */
export async function streamInstant(
  querier: Querier,
  sel: VectorSelector,
  ends: readonly number[],
  lookback: number,
  sampleTimes: boolean,
  hints: SelectHints,
  onSeries: (pointsSoFar: number) => void,
  fn: InstantSeriesFn,
  ctx: QueryContext,
): Promise<void> {
  const mint = ends[0]! - lookback;
  const steps = ends.length;
  if (scratchIdx.length < steps) {
    scratchIdx = new Int32Array(steps);
    scratchV = new Float64Array(steps);
  }
  const idx = scratchIdx;
  const out = scratchV;
  const set = querier.select(sel.matchers, hints);
  let it: SampleIterator | undefined;
  let total = 0;
  while (set.next()) {
    if (ctx.due()) await ctx.pause();
    const s = set.at();
    it = s.iterator(it);
    let k = 0;
    // The newest sample at or before the current step time, and the next one read ahead.
    let curT = Number.NEGATIVE_INFINITY;
    let curV = 0;
    let curStale = false;
    let pending = it.seek(mint + 1);
    let pendT = pending ? it.t() : 0;
    for (let i = 0; i < steps; i++) {
      const te = ends[i]!;
      while (pending && pendT <= te) {
        const v = it.v();
        curT = pendT;
        // Check the bits before the value is stored anywhere that could quiet the NaN.
        curStale = Number.isNaN(v) && isStaleNaN(v);
        curV = v;
        pending = it.next();
        if (pending) pendT = it.t();
      }
      if (curT <= te - lookback || curStale) continue;
      idx[k] = i;
      out[k++] = sampleTimes ? curT / 1000 : curV;
    }
    const err = it.err();
    if (err !== null) throw err;
    total += k;
    onSeries(total);
    if (k > 0) fn(s.labels, idx, out, k);
  }
  const err = set.err();
  if (err !== null) throw err;
}

/** {@link streamInstant} collected into series whose points are stamped `steps[i]`. */
export async function selectInstant(
  querier: Querier,
  sel: VectorSelector,
  ends: readonly number[],
  steps: readonly number[],
  lookback: number,
  sampleTimes: boolean,
  hints: SelectHints,
  ctx: QueryContext,
  onSeries: (pointsSoFar: number) => void,
): Promise<EvalSeries[]> {
  const out: EvalSeries[] = [];
  const collect: InstantSeriesFn = (labels, idx, vals, k) => {
    const ts = new Array<number>(k);
    const vs = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      ts[j] = steps[idx[j]!]!;
      vs[j] = vals[j]!;
    }
    out.push({ metric: labels, dropName: sampleTimes, ts, vs });
  };
  await streamInstant(querier, sel, ends, lookback, sampleTimes, hints, onSeries, collect, ctx);
  return out;
}
