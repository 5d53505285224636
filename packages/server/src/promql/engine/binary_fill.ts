/**
 * Vector matching with the experimental `fill(v)`, `fill_left(v)` and `fill_right(v)` modifiers
 * (Prometheus 3.x, proposal 0070): a match group missing on one side is paired with the fill
 * value instead of being dropped. Evaluated step by step, since a series may be missing at some
 * steps and present at others.
 *
 * As upstream, the fill values are applied after `group_right` swaps the sides so that the
 * "many" side is always the first: `fill_left` stands in for a missing "many"-side series and
 * `fill_right` for a missing "one"-side series. For one-to-one and `group_left` that is the
 * left and the right operand; for `group_right` the roles are exchanged (upstream's
 * fill-modifier tests pin this).
 */

import { type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import type { BinaryExpr, VectorMatching } from '../parser/ast.js';
import { COMPARISON, elemOp, labelsToString2, matchedLabels, resultMetric } from './binary_ops.js';
import { execError } from './errors.js';
import type { Sample, Vector } from './types.js';

/** True when the operation carries a fill modifier. */
export function hasFill(m: VectorMatching | null): boolean {
  return m !== null && (m.fillLeft !== undefined || m.fillRight !== undefined);
}

const NO_LABELS: Labels = [];

/** The labels of a filled-in "many"-side series: the match group's labels, without the name. */
function groupLabels(one: Labels, m: VectorMatching): Labels {
  const names = new Set(m.matchingLabels);
  return m.on
    ? one.filter((l) => names.has(l.name))
    : one.filter((l) => l.name !== METRIC_NAME && !names.has(l.name));
}

/** One step of `lhs <op> fill…(v) rhs` for arithmetic and comparison operators. */
export function vectorVectorFill(
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
  const oneBySig = new Map<string, Sample>();
  for (const s of one) {
    const k = sig(s.metric);
    const dup = oneBySig.get(k);
    if (dup !== undefined) {
      throw execError(
        `found duplicate series for the match group ${matchedLabels(s.metric, m)} on the ${oneToMany ? 'left' : 'right'} hand-side of the operation: [${labelsToString2(dup.metric)}, ${labelsToString2(s.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    oneBySig.set(k, s);
  }
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
    const seen = seenMany.get(k);
    if (m.card === 'one-to-one') {
      if (seen !== undefined) {
        throw execError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      seenMany.set(k, null);
    } else {
      const mk = labelsKey(metric);
      if (seen === undefined || seen === null) seenMany.set(k, new Set([mk]));
      else if (seen.has(mk))
        throw execError('multiple matches for labels: grouping labels must ensure unique matches');
      else seen.add(mk);
    }
    emit(metric, ms.f, os?.f ?? (fillOne as number), ms.t, ms.dropName || !cmp || e.returnBool);
  }
  if (fillMany === undefined) return;
  for (const [k, os] of oneBySig) {
    if (seenMany.has(k)) continue;
    emit(resultMetric(groupLabels(os.metric, m), os.metric, m), fillMany, os.f, os.t, true);
  }
}
