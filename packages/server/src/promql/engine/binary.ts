/**
 * Binary operators: arithmetic, comparison (filtering or `bool`) and set operators, between
 * scalars and instant vectors, with Prometheus' vector matching (engine.go `VectorBinop`,
 * `VectorAnd/Or/Unless`, `resultMetric`).
 */

import type { BinaryExpr } from '../parser/ast.js';
import { ARITHMETIC, COMPARISON, elemOp, signer } from './binary_ops.js';
import { binarySeriesWise, setOpSeriesWise } from './binary_series.js';
import { hasFill, vectorVectorStep } from './binary_step.js';
import { execError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import type { EvalSeries, EvalValue, Vector } from './types.js';

export async function evalBinary(ev: Evaluator, e: BinaryExpr): Promise<EvalValue> {
  const lhs = await ev.eval(e.lhs);
  const rhs = await ev.eval(e.rhs);
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    const out = new Float64Array(lhs.values.length);
    for (let i = 0; i < out.length; i++) {
      const [v, keep] = elemOp(e.op, lhs.values[i]!, rhs.values[i]!);
      out[i] = COMPARISON.has(e.op) ? (keep ? 1 : 0) : v;
    }
    return { type: 'scalar', values: out };
  }
  if (lhs.type === 'string' || rhs.type === 'string' || lhs.type === 'matrix' || rhs.type === 'matrix') {
    throw execError(`binary expression must contain only scalar and instant vector types`);
  }
  if (lhs.type === 'vector' && rhs.type === 'scalar')
    return { type: 'vector', series: vectorScalarSeries(e, lhs.series, rhs.values, false, ev.steps) };
  if (lhs.type === 'scalar' && rhs.type === 'vector')
    return { type: 'vector', series: vectorScalarSeries(e, rhs.series, lhs.values, true, ev.steps) };
  const sig = signer(e.matching);
  if (lhs.type === 'vector' && rhs.type === 'vector') {
    if (e.op === 'and' || e.op === 'or' || e.op === 'unless') {
      return { type: 'vector', series: setOpSeriesWise(e, lhs.series, rhs.series, sig, ev.steps) };
    }
    const fast = hasFill(e.matching) ? null : binarySeriesWise(e, lhs.series, rhs.series, sig);
    if (fast !== null) return { type: 'vector', series: fast };
  }
  // Vector/vector operations that do not pair whole series: matched anew at every step.
  const series = await ev.rangeEval([lhs, rhs], (args, _i, out) => {
    vectorVectorStep(e, args[0] as Vector, args[1] as Vector, sig, out);
  });
  return { type: 'vector', series };
}

/**
 * Vector/scalar operations series by series: the scalar's value at a point's step is read from
 * its per-step array, so no per-step vectors are built. A comparison keeps the vector element's
 * value even when the scalar is on the left; `bool` turns the outcome into 0/1.
 */
function vectorScalarSeries(
  e: BinaryExpr,
  input: readonly EvalSeries[],
  scalar: Float64Array,
  swap: boolean,
  steps: readonly number[],
): EvalSeries[] {
  if (!ARITHMETIC.has(e.op) && !COMPARISON.has(e.op)) {
    throw execError(`set operator "${e.op}" not allowed in binary scalar expression`);
  }
  const cmp = COMPARISON.has(e.op);
  const start = steps[0] ?? 0;
  const interval = steps.length > 1 ? steps[1]! - start : 1;
  const out: EvalSeries[] = [];
  for (const s of input) {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let k = 0; k < s.ts.length; k++) {
      const t = s.ts[k]!;
      const sv = scalar[(t - start) / interval]!;
      const l = swap ? sv : s.vs[k]!;
      const r = swap ? s.vs[k]! : sv;
      let [v, keep] = elemOp(e.op, l, r);
      if (cmp && swap) v = r;
      if (e.returnBool) {
        v = keep ? 1 : 0;
        keep = true;
      }
      if (!keep) continue;
      ts.push(t);
      vs.push(v);
    }
    if (ts.length > 0) out.push({ metric: s.metric, dropName: s.dropName || !cmp || e.returnBool, ts, vs });
  }
  return out;
}
