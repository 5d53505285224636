/**
 * The element operations and label rules of binary operators, shared by the step-wise and the
 * series-wise evaluation (engine.go `vectorElemBinop`, `signatureFunc`, `resultMetric`).
 */

import { type Labels, METRIC_NAME } from '../../model/labels.js';
import type { BinaryOp, VectorMatching } from '../parser/ast.js';
import { execError } from './errors.js';

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

export function matchedLabels(ls: Labels, m: VectorMatching): string {
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
