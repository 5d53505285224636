/**
 * The streaming path of instant vector selectors: each series' iterator is walked once, in step
 * with the (ascending) evaluation times, keeping only the newest sample seen, so no per-series
 * buffers are copied out of storage.
 */

import { isStaleNaN } from '../../model/sample.js';
import type { Querier, SampleIterator, SelectHints } from '../../storage/types.js';
import type { VectorSelector } from '../parser/ast.js';
import type { EvalSeries } from './types.js';

/**
 * For every step i, the newest sample in `(ends[i] - lookback, ends[i]]` of each matching series,
 * unless it is a stale marker; the point is stamped `steps[i]`. With `sampleTimes` the value is
 * the sample's timestamp in seconds. `ends` must not decrease.
 */
export function selectInstant(
  querier: Querier,
  sel: VectorSelector,
  ends: readonly number[],
  steps: readonly number[],
  lookback: number,
  sampleTimes: boolean,
  hints: SelectHints,
  onSeries: (pointsSoFar: number) => void,
): EvalSeries[] {
  const mint = ends[0]! - lookback;
  const set = querier.select(sel.matchers, hints);
  const out: EvalSeries[] = [];
  let it: SampleIterator | undefined;
  let total = 0;
  while (set.next()) {
    const s = set.at();
    it = s.iterator(it);
    // At most one point per step: size the arrays once and trim them at the end.
    const ts: number[] = new Array<number>(ends.length);
    const vs: number[] = new Array<number>(ends.length);
    let k = 0;
    // The newest sample at or before the current step time, and the next one read ahead.
    let curT = Number.NEGATIVE_INFINITY;
    let curV = 0;
    let curStale = false;
    let pending = it.seek(mint + 1);
    let pendT = pending ? it.t() : 0;
    for (let i = 0; i < ends.length; i++) {
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
      ts[k] = steps[i]!;
      vs[k++] = sampleTimes ? curT / 1000 : curV;
    }
    ts.length = k;
    vs.length = k;
    const err = it.err();
    if (err !== null) throw err;
    total += k;
    onSeries(total);
    if (k > 0) out.push({ metric: s.labels, dropName: sampleTimes, ts, vs });
  }
  const err = set.err();
  if (err !== null) throw err;
  return out;
}
