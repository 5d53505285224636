/**
 * Series-wise evaluation of arithmetic and comparison operators between two vectors, for the
 * common case where matching pairs whole series: each side has at most one series per match
 * signature (the "one" side for group_left/group_right) and no two pairs give the same output
 * labels. Pairs are found once and their points merged by timestamp, instead of matching
 * anew at every step. Anything else returns null and takes the step-wise path, which raises
 * Prometheus' errors exactly where they apply.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import type { BinaryExpr } from '../parser/ast.js';
import { ARITH_FNS, ARITHMETIC, COMPARISON, elemOp, resultMetric } from './binary_ops.js';
import { mergeSameLabels } from './merge.js';
import type { EvalSeries } from './types.js';

export function binarySeriesWise(
  e: BinaryExpr,
  lhs: readonly EvalSeries[],
  rhs: readonly EvalSeries[],
  sig: (ls: Labels) => string,
): EvalSeries[] | null {
  const m = e.matching;
  if (m === null || m.card === 'many-to-many' || !(ARITHMETIC.has(e.op) || COMPARISON.has(e.op))) return null;
  const oneToMany = m.card === 'one-to-many';
  const many = oneToMany ? rhs : lhs;
  const one = oneToMany ? lhs : rhs;
  const oneBySig = new Map<string, EvalSeries>();
  for (const s of one) {
    const k = sig(s.metric);
    if (oneBySig.has(k)) return null;
    oneBySig.set(k, s);
  }
  const cmp = COMPARISON.has(e.op);
  const usedSigs = new Set<string>();
  const outKeys = new Set<string>();
  const out: EvalSeries[] = [];
  for (const ms of many) {
    const k = sig(ms.metric);
    const os = oneBySig.get(k);
    if (os === undefined) continue;
    if (m.card === 'one-to-one') {
      if (usedSigs.has(k)) return null;
      usedSigs.add(k);
    }
    const metric = resultMetric(ms.metric, os.metric, m);
    const key = labelsKey(metric);
    if (outKeys.has(key)) return null;
    outKeys.add(key);
    let ts: number[];
    let vs: number[];
    const arith = e.returnBool ? undefined : ARITH_FNS.get(e.op);
    if (arith !== undefined) {
      // Arithmetic keeps every pair: merge by timestamp into arrays sized for the shorter side.
      const mts = ms.ts;
      const ots = os.ts;
      const mvs = ms.vs;
      const ovs = os.vs;
      const cap = Math.min(mts.length, ots.length);
      ts = new Array<number>(cap);
      vs = new Array<number>(cap);
      let n = 0;
      let i = 0;
      let j = 0;
      while (i < mts.length && j < ots.length) {
        const ti = mts[i]!;
        const tj = ots[j]!;
        if (ti < tj) i++;
        else if (tj < ti) j++;
        else {
          ts[n] = ti;
          vs[n++] = oneToMany ? arith(ovs[j]!, mvs[i]!) : arith(mvs[i]!, ovs[j]!);
          i++;
          j++;
        }
      }
      ts.length = n;
      vs.length = n;
      if (n > 0) out.push({ metric, dropName: true, ts, vs });
      continue;
    }
    ts = [];
    vs = [];
    let i = 0;
    let j = 0;
    while (i < ms.ts.length && j < os.ts.length) {
      const ti = ms.ts[i]!;
      const tj = os.ts[j]!;
      if (ti < tj) i++;
      else if (tj < ti) j++;
      else {
        const l = oneToMany ? os.vs[j]! : ms.vs[i]!;
        const r = oneToMany ? ms.vs[i]! : os.vs[j]!;
        const [v, keep] = elemOp(e.op, l, r);
        if (e.returnBool) {
          ts.push(ti);
          vs.push(keep ? 1 : 0);
        } else if (keep) {
          ts.push(ti);
          vs.push(v);
        }
        i++;
        j++;
      }
    }
    if (ts.length > 0) out.push({ metric, dropName: ms.dropName || !cmp || e.returnBool, ts, vs });
  }
  return out;
}

/**
 * `and`, `or` and `unless` series by series: for each match signature, the steps at which the
 * other side has any series are marked once, then each series keeps the points its operator
 * allows at those steps. Same result as matching anew at every step.
 */
export function setOpSeriesWise(
  e: BinaryExpr,
  lhs: readonly EvalSeries[],
  rhs: readonly EvalSeries[],
  sig: (ls: Labels) => string,
  steps: readonly number[],
): EvalSeries[] {
  const start = steps[0] ?? 0;
  const interval = steps.length > 1 ? steps[1]! - start : 1;
  const presence = (side: readonly EvalSeries[]): Map<string, Uint8Array> => {
    const out = new Map<string, Uint8Array>();
    for (const s of side) {
      const k = sig(s.metric);
      let marks = out.get(k);
      if (marks === undefined) {
        marks = new Uint8Array(steps.length);
        out.set(k, marks);
      }
      for (let i = 0; i < s.ts.length; i++) marks[(s.ts[i]! - start) / interval] = 1;
    }
    return out;
  };
  const filter = (s: EvalSeries, marks: Uint8Array | undefined, keepMarked: boolean): EvalSeries | null => {
    if (marks === undefined) return keepMarked ? null : s;
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < s.ts.length; i++) {
      if ((marks[(s.ts[i]! - start) / interval] === 1) !== keepMarked) continue;
      ts.push(s.ts[i]!);
      vs.push(s.vs[i]!);
    }
    return ts.length > 0 ? { metric: s.metric, dropName: s.dropName, ts, vs } : null;
  };
  const out: EvalSeries[] = [];
  if (e.op === 'and' || e.op === 'unless') {
    const right = presence(rhs);
    for (const s of lhs) {
      const kept = filter(s, right.get(sig(s.metric)), e.op === 'and');
      if (kept !== null) out.push(kept);
    }
    return out;
  }
  const left = presence(lhs);
  out.push(...lhs);
  for (const s of rhs) {
    const kept = filter(s, left.get(sig(s.metric)), false);
    if (kept !== null) out.push(kept);
  }
  return mergeSameLabels(out);
}
