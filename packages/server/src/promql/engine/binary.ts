/**
 * Binary operators: arithmetic, comparison (filtering or `bool`) and set operators, between
 * scalars and instant vectors, with Prometheus' vector matching (engine.go `VectorBinop`,
 * `VectorAnd/Or/Unless`, `resultMetric`).
 */

import { type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import type { BinaryExpr, BinaryOp, VectorMatching } from '../parser/ast.js';
import { execError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import type { EvalValue, Sample, Vector } from './types.js';

const ARITHMETIC = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^', 'atan2']);
const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Go's math.Pow, which differs from `**` on a few special cases Prometheus' tests pin. */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

/** Applies `op`; for comparisons returns the left value and whether the pair is kept. */
function elemOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '%':
      return [l % r, true];
    case '^':
      return [goPow(l, r), true];
    case 'atan2':
      return [Math.atan2(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
    default:
      throw execError(`operator "${op}" not allowed for scalar or vector operands`);
  }
}

export function evalBinary(ev: Evaluator, e: BinaryExpr): EvalValue {
  const lhs = ev.eval(e.lhs);
  const rhs = ev.eval(e.rhs);
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
  const series = ev.rangeEval([lhs, rhs], (args, _i, out) => {
    const l = args[0]!;
    const r = args[1]!;
    if (typeof l === 'number') vectorScalar(e, r as Vector, l, true, out);
    else if (typeof r === 'number') vectorScalar(e, l as Vector, r, false, out);
    else vectorVector(e, l as Vector, r as Vector, out);
  });
  return { type: 'vector', series };
}

function vectorScalar(e: BinaryExpr, vec: Vector, scalar: number, swap: boolean, out: Vector): void {
  if (!ARITHMETIC.has(e.op) && !COMPARISON.has(e.op)) {
    throw execError(`set operator "${e.op}" not allowed in binary scalar expression`);
  }
  const cmp = COMPARISON.has(e.op);
  for (const s of vec) {
    const l = swap ? scalar : s.f;
    const r = swap ? s.f : scalar;
    let [v, keep] = elemOp(e.op, l, r);
    // A comparison keeps the vector element's value even when the scalar is on the left.
    if (cmp && swap) v = r;
    if (e.returnBool) {
      v = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ metric: s.metric, f: v, t: s.t, dropName: s.dropName || !cmp || e.returnBool });
  }
}

/** The matching signature: the `on` labels, or every label but the `ignoring` ones and the name. */
function signer(m: VectorMatching | null): (ls: Labels) => string {
  const names = new Set(m?.matchingLabels ?? []);
  if (m?.on) {
    return (ls) => {
      let k = '';
      for (const l of ls) if (names.has(l.name)) k += `${l.name}\xff${l.value}\xff`;
      return k;
    };
  }
  return (ls) => {
    let k = '';
    for (const l of ls) if (l.name !== METRIC_NAME && !names.has(l.name)) k += `${l.name}\xff${l.value}\xff`;
    return k;
  };
}

function vectorVector(e: BinaryExpr, lhs: Vector, rhs: Vector, out: Vector): void {
  const m = e.matching;
  const sig = signer(m);
  switch (e.op) {
    case 'and': {
      const right = new Set(rhs.map((s) => sig(s.metric)));
      for (const s of lhs) if (right.has(sig(s.metric))) out.push(s);
      return;
    }
    case 'unless': {
      const right = new Set(rhs.map((s) => sig(s.metric)));
      for (const s of lhs) if (!right.has(sig(s.metric))) out.push(s);
      return;
    }
    case 'or': {
      const left = new Set<string>();
      for (const s of lhs) {
        left.add(sig(s.metric));
        out.push(s);
      }
      for (const s of rhs) if (!left.has(sig(s.metric))) out.push(s);
      return;
    }
    default:
      break;
  }
  if (m === null || m.card === 'many-to-many') {
    throw execError('many-to-many only allowed for set operators');
  }
  if (lhs.length === 0 || rhs.length === 0) return;
  const oneToMany = m.card === 'one-to-many';
  // Handle one-to-many by swapping sides; values are swapped back for the operation.
  const many = oneToMany ? rhs : lhs;
  const one = oneToMany ? lhs : rhs;
  const oneBySig = new Map<string, Sample>();
  for (const s of one) {
    const k = sig(s.metric);
    const dup = oneBySig.get(k);
    if (dup !== undefined) {
      const side = oneToMany ? 'left' : 'right';
      throw execError(
        `found duplicate series for the match group ${matchedLabels(s.metric, m)} on the ${side} hand-side of the operation: [${labelsToString2(dup.metric)}, ${labelsToString2(s.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    oneBySig.set(k, s);
  }
  const cmp = COMPARISON.has(e.op);
  const matched = new Map<string, Set<string> | null>();
  for (const ms of many) {
    const k = sig(ms.metric);
    const os = oneBySig.get(k);
    if (os === undefined) continue;
    const l = oneToMany ? os.f : ms.f;
    const r = oneToMany ? ms.f : os.f;
    let [v, keep] = elemOp(e.op, l, r);
    const metric = resultMetric(ms.metric, os.metric, m);
    // Matching errors are raised even for pairs a comparison then filters out, so that a
    // query's validity does not depend on the data's values.
    const seen = matched.get(k);
    if (m.card === 'one-to-one') {
      if (seen !== undefined) {
        throw execError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      }
      matched.set(k, null);
    } else {
      const mk = labelsKey(metric);
      if (seen === undefined || seen === null) matched.set(k, new Set([mk]));
      else if (seen.has(mk))
        throw execError('multiple matches for labels: grouping labels must ensure unique matches');
      else seen.add(mk);
    }
    if (e.returnBool) v = keep ? 1 : 0;
    else if (!keep) continue;
    out.push({ metric, f: v, t: ms.t, dropName: ms.dropName || !cmp || e.returnBool });
  }
}

/** The output labels: the "many" side's labels, narrowed for one-to-one, plus `group_x` labels. */
function resultMetric(many: Labels, one: Labels, m: VectorMatching): Labels {
  let out: Labels = many;
  if (m.card === 'one-to-one') {
    const names = new Set(m.matchingLabels);
    out = m.on ? many.filter((l) => names.has(l.name)) : many.filter((l) => !names.has(l.name));
  }
  if (m.include.length > 0) {
    const inc = new Set(m.include);
    const kept = out.filter((l) => !inc.has(l.name));
    for (const l of one) if (inc.has(l.name)) kept.push(l);
    out = kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return out;
}

function matchedLabels(ls: Labels, m: VectorMatching): string {
  const names = new Set(m.matchingLabels);
  const kept = m.on
    ? ls.filter((l) => names.has(l.name))
    : ls.filter((l) => l.name !== METRIC_NAME && !names.has(l.name));
  return labelsToString2(kept);
}

/** Prometheus' `labels.String()`: `{a="1", b="2"}` with the name as an ordinary label. */
export function labelsToString2(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}
