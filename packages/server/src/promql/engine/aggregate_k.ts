/**
 * topk and bottomk over series: groups are assigned once per input series and each step ranks
 * indices into the step's values, so no per-step sample objects or group keys are built. The
 * choice and its order are those of the step-wise path: largest (topk) or smallest (bottomk)
 * first, NaN last, ties in input order.
 */

import { labelsKey } from '../../model/labels.js';
import type { AggregateExpr } from '../parser/ast.js';
import type { QueryContext } from './context.js';
import { execError } from './errors.js';
import { groupingLabels } from './grouping.js';
import { formatFloat } from './quantile.js';
import type { EvalSeries } from './types.js';

export function topkSeriesWise(
  e: AggregateExpr,
  input: readonly EvalSeries[],
  params: Float64Array,
  steps: readonly number[],
  ctx: QueryContext,
): EvalSeries[] {
  const names = new Set(e.grouping);
  const groupIds = new Map<string, number>();
  const groupOf = new Int32Array(input.length);
  input.forEach((s, k) => {
    const metric = groupingLabels(s.metric, s.dropName, e, names);
    const key = labelsKey(metric);
    let g = groupIds.get(key);
    if (g === undefined) {
      g = groupIds.size;
      groupIds.set(key, g);
    }
    groupOf[k] = g;
  });
  const desc = e.op === 'topk';
  const cursors = new Int32Array(input.length);
  const values = new Float64Array(input.length);
  const members: number[][] = Array.from({ length: groupIds.size }, () => []);
  const outs: (EvalSeries | undefined)[] = new Array(input.length);
  const order: EvalSeries[] = [];
  // a before b in the ranking (ties: input order, handled by the stable insertion below).
  const before = (a: number, b: number): boolean => {
    const x = values[a]!;
    const y = values[b]!;
    if (Number.isNaN(x)) return false;
    if (Number.isNaN(y)) return true;
    return desc ? x > y : x < y;
  };
  for (let i = 0; i < steps.length; i++) {
    ctx.checkAlive();
    const t = steps[i]!;
    const param = params[i]!;
    for (const m of members) m.length = 0;
    let held = 0;
    for (let k = 0; k < input.length; k++) {
      const s = input[k]!;
      const p = cursors[k]!;
      if (p < s.ts.length && s.ts[p] === t) {
        values[k] = s.vs[p]!;
        members[groupOf[k]!]!.push(k);
        cursors[k] = p + 1;
        held++;
      }
    }
    ctx.checkSamples(held);
    if (held === 0) continue;
    if (Number.isNaN(param)) throw execError('Parameter value is NaN');
    if (Math.abs(param) >= 2 ** 63) throw execError(`Scalar value ${formatFloat(param)} overflows int64`);
    const k = Math.trunc(param);
    if (k < 1) continue;
    for (const m of members) {
      const best: number[] = [];
      for (const idx of m) {
        if (best.length === k && !before(idx, best[k - 1]!)) continue;
        let pos = best.length;
        while (pos > 0 && before(idx, best[pos - 1]!)) pos--;
        best.splice(pos, 0, idx);
        if (best.length > k) best.pop();
      }
      for (const idx of best) {
        let o = outs[idx];
        if (o === undefined) {
          const s = input[idx]!;
          o = { metric: s.metric, dropName: s.dropName, ts: [], vs: [] };
          outs[idx] = o;
          order.push(o);
        }
        o.ts.push(t);
        o.vs.push(values[idx]!);
      }
    }
  }
  return order;
}
