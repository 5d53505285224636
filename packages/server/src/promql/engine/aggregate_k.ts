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
  const present = new Uint8Array(input.length);
  const nGroups = groupIds.size;
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
  // Per group, the best k so far at this step (indices into `input`), in ranking order; the
  // lists are reused across steps. Series are offered in input order, as the step-wise path.
  let best: Int32Array[] = [];
  const sizes = new Int32Array(nGroups);
  let cap = 0;
  for (let i = 0; i < steps.length; i++) {
    ctx.checkAlive();
    const t = steps[i]!;
    const param = params[i]!;
    let held = 0;
    for (let s = 0; s < input.length; s++) {
      const p = cursors[s]!;
      const ser = input[s]!;
      if (p < ser.ts.length && ser.ts[p] === t) {
        values[s] = ser.vs[p]!;
        cursors[s] = p + 1;
        present[s] = 1;
        held++;
      } else present[s] = 0;
    }
    ctx.checkSamples(held);
    if (held === 0) continue;
    if (Number.isNaN(param)) throw execError('Parameter value is NaN');
    if (Math.abs(param) >= 2 ** 63) throw execError(`Scalar value ${formatFloat(param)} overflows int64`);
    const k = Math.min(Math.trunc(param), input.length);
    if (k < 1) continue;
    if (k > cap) {
      cap = k;
      best = Array.from({ length: nGroups }, () => new Int32Array(k));
    }
    sizes.fill(0);
    for (let idx = 0; idx < input.length; idx++) {
      if (present[idx] === 0) continue;
      const g = groupOf[idx]!;
      const b = best[g]!;
      const len = sizes[g]!;
      if (len === k && !before(idx, b[k - 1]!)) continue;
      let pos = len === k ? k - 1 : len;
      while (pos > 0 && before(idx, b[pos - 1]!)) {
        b[pos] = b[pos - 1]!;
        pos--;
      }
      b[pos] = idx;
      if (len < k) sizes[g] = len + 1;
    }
    for (let g = 0; g < nGroups; g++) {
      const b = best[g]!;
      for (let r = 0; r < sizes[g]!; r++) {
        const idx = b[r]!;
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
