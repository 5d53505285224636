/**
 * The element operations and label rules of binary operators, shared by the step-wise and the
 * series-wise evaluation (engine.go `vectorElemBinop`, `signatureFunc`, `resultMetric`).
 */

import { type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import type { BinaryOp, VectorMatching } from '../parser/ast.js';
import { execError } from './errors.js';
import type { Sample } from './types.js';

export const ARITHMETIC = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^', 'atan2']);
export const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Go's math.Pow, which differs from `**` on a few special cases Prometheus' tests pin. */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

/**
 * The arithmetic operators as plain functions of two numbers (the same operations as
 * {@link elemOp}), for loops that apply one operator to many pairs without building tuples.
 */
export const ARITH_FNS: ReadonlyMap<BinaryOp, (l: number, r: number) => number> = new Map<
  BinaryOp,
  (l: number, r: number) => number
>([
  ['+', (l, r) => l + r],
  ['-', (l, r) => l - r],
  ['*', (l, r) => l * r],
  ['/', (l, r) => l / r],
  ['%', (l, r) => l % r],
  ['^', goPow],
  ['atan2', Math.atan2],
]);

/** Applies `op`; for comparisons returns the left value and whether the pair is kept. */
export function elemOp(op: BinaryOp, l: number, r: number): [number, boolean] {
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

/** The matching signature: the `on` labels, or every label but the `ignoring` ones and the name. */
export function signer(m: VectorMatching | null): (ls: Labels) => string {
  const names = new Set(m?.matchingLabels ?? []);
  const on = m?.on === true;
  // Series keep their label arrays across steps, so each signature is computed once.
  const cache = new WeakMap<Labels, string>();
  return (ls) => {
    let k = cache.get(ls);
    if (k !== undefined) return k;
    k = '';
    if (on) {
      for (const l of ls) if (names.has(l.name)) k += `${l.name}\xff${l.value}\xff`;
    } else {
      for (const l of ls)
        if (l.name !== METRIC_NAME && !names.has(l.name)) k += `${l.name}\xff${l.value}\xff`;
    }
    cache.set(ls, k);
    return k;
  };
}

/** The output labels: the "many" side's labels, narrowed for one-to-one, plus `group_x` labels. */
export function resultMetric(many: Labels, one: Labels, m: VectorMatching): Labels {
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

/** The labels a series is matched on: the `on` labels, or all but the `ignoring` ones and the name. */
export function matchGroupLabels(ls: Labels, m: VectorMatching): Labels {
  const names = new Set(m.matchingLabels);
  return m.on
    ? ls.filter((l) => names.has(l.name))
    : ls.filter((l) => l.name !== METRIC_NAME && !names.has(l.name));
}

export function matchedLabels(ls: Labels, m: VectorMatching): string {
  return labelsToString2(matchGroupLabels(ls, m));
}

/** Prometheus' `labels.String()`: `{a="1", b="2"}` with the name as an ordinary label. */
export function labelsToString2(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/**
 * The "one" side of a vector matching (the right side; the left for group_right) by match
 * signature; two of its samples with one signature are Prometheus' many-to-many error.
 */
export function indexOneSide(
  one: readonly Sample[],
  sig: (ls: Labels) => string,
  m: VectorMatching,
): Map<string, Sample> {
  const bySig = new Map<string, Sample>();
  for (const s of one) {
    const k = sig(s.metric);
    const dup = bySig.get(k);
    if (dup !== undefined) {
      throw execError(
        `found duplicate series for the match group ${matchedLabels(s.metric, m)} on the ${m.card === 'one-to-many' ? 'left' : 'right'} hand-side of the operation: [${labelsToString2(dup.metric)}, ${labelsToString2(s.metric)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    bySig.set(k, s);
  }
  return bySig;
}

/**
 * Records a matched pair (signature `k`, output labels `metric`) for Prometheus' uniqueness
 * errors: one-to-one allows one pair per signature, grouped matching unique output labels.
 */
export function recordMatch(
  seen: Map<string, Set<string> | null>,
  k: string,
  metric: Labels,
  m: VectorMatching,
): void {
  const prev = seen.get(k);
  if (m.card === 'one-to-one') {
    if (prev !== undefined) {
      throw execError(
        'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
      );
    }
    seen.set(k, null);
    return;
  }
  const mk = labelsKey(metric);
  if (prev === undefined || prev === null) seen.set(k, new Set([mk]));
  else if (prev.has(mk))
    throw execError('multiple matches for labels: grouping labels must ensure unique matches');
  else prev.add(mk);
}
