/** Combining series that ended up with the same label set. */

import { labelsKey } from '../../model/labels.js';
import { execError } from './errors.js';
import type { EvalSeries } from './types.js';

/**
 * Merges series with equal labels into one when their points never share a step, as the
 * step-wise evaluation would have produced them; a shared step is Prometheus' error.
 */
export function mergeSameLabels(series: readonly EvalSeries[]): EvalSeries[] {
  const byKey = new Map<string, EvalSeries>();
  let merged = false;
  for (const s of series) {
    const key = labelsKey(s.metric);
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, s);
      continue;
    }
    merged = true;
    const ts: number[] = [];
    const vs: number[] = [];
    let i = 0;
    let j = 0;
    while (i < prev.ts.length || j < s.ts.length) {
      const a = i < prev.ts.length ? prev.ts[i]! : Number.POSITIVE_INFINITY;
      const b = j < s.ts.length ? s.ts[j]! : Number.POSITIVE_INFINITY;
      if (a === b) throw execError('vector cannot contain metrics with the same labelset');
      if (a < b) {
        ts.push(a);
        vs.push(prev.vs[i++]!);
      } else {
        ts.push(b);
        vs.push(s.vs[j++]!);
      }
    }
    byKey.set(key, { metric: prev.metric, dropName: prev.dropName, ts, vs });
  }
  return merged ? [...byKey.values()] : (series as EvalSeries[]);
}
