/**
 * Vector/vector arithmetic and comparison matched step by step (engine.go `VectorBinop`), for the
 * operations that cannot pair whole series (binary_series.ts), and for the experimental
 * `fill(v)`, `fill_left(v)` and `fill_right(v)` modifiers (Prometheus 3.x, proposal 0070): a match
 * group missing on one side is paired with the fill value instead of being dropped. Step by step,
 * since a series may be missing at some steps and present at others; without a fill modifier a
 * missing side drops the pair, as upstream.
 *
 * As upstream, the fill values are applied after `group_right` swaps the sides so that the
 * "many" side is always the first: `fill_left` stands in for a missing "many"-side series and
 * `fill_right` for a missing "one"-side series. For one-to-one and `group_left` that is the
 * left and the right operand; for `group_right` the roles are exchanged (upstream's
 * fill-modifier tests pin this).
 */

import type { Labels } from '../../model/labels.js';
import type { BinaryExpr, VectorMatching } from '../parser/ast.js';
import {
  COMPARISON,
  elemOp,
  indexOneSide,
  matchGroupLabels,
  recordMatch,
  resultMetric,
} from './binary_ops.js';
import { execError } from './errors.js';
import type { Vector } from './types.js';

/** True when the operation carries a fill modifier. */
export function hasFill(m: VectorMatching | null): boolean {
  return m !== null && (m.fillLeft !== undefined || m.fillRight !== undefined);
}

const NO_LABELS: Labels = [];

/** One step of `lhs <op> rhs` (with any fill modifier) for arithmetic and comparison operators. */
export function vectorVectorStep(
  e: BinaryExpr,
  lhs: Vector,
  rhs: Vector,
  sig: (ls: Labels) => string,
  out: Vector,
): void {
  const m = e.matching;
  if (m === null || m.card === 'many-to-many') throw execError('many-to-many only allowed for set operators');
  const oneToMany = m.card === 'one-to-many';
  const many = oneToMany ? rhs : lhs;
  const one = oneToMany ? lhs : rhs;
  const fillMany = m.fillLeft;
  const fillOne = m.fillRight;
  const oneBySig = indexOneSide(one, sig, m);
  const cmp = COMPARISON.has(e.op);
  const emit = (metric: Labels, manyV: number, oneV: number, t: number, dropName: boolean) => {
    let [v, keep] = elemOp(e.op, oneToMany ? oneV : manyV, oneToMany ? manyV : oneV);
    if (e.returnBool) v = keep ? 1 : 0;
    else if (!keep) return;
    out.push({ metric, f: v, t, dropName });
  };
  const seenMany = new Map<string, Set<string> | null>();
  for (const ms of many) {
    const k = sig(ms.metric);
    const os = oneBySig.get(k);
    if (os === undefined && fillOne === undefined) continue;
    const metric = resultMetric(ms.metric, os?.metric ?? NO_LABELS, m);
    recordMatch(seenMany, k, metric, m);
    emit(metric, ms.f, os?.f ?? (fillOne as number), ms.t, ms.dropName || !cmp || e.returnBool);
  }
  if (fillMany === undefined) return;
  for (const [k, os] of oneBySig) {
    if (seenMany.has(k)) continue;
    // A filled-in "many" series has only the match group's labels (no name).
    emit(resultMetric(matchGroupLabels(os.metric, m), os.metric, m), fillMany, os.f, os.t, true);
  }
}
