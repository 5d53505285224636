/** Binary operator modifiers (`bool`, `on`/`ignoring`, `group_left`/`group_right`, `fill*`) and node construction. */

import type { BinaryExpr, BinaryOp, Expr, VectorMatching } from './ast.js';
import { durationLiteral } from './durationexpr.js';
import { parseNumber } from './literals.js';
import { parseGroupingLabels } from './selector.js';
import type { TokenStream } from './stream.js';
import { typeOf } from './types.js';

export interface BinModifiers {
  readonly returnBool: boolean;
  /** As written, before the scalar/set-operator normalisation of {@link newBinaryExpr}. */
  readonly matching: VectorMatching;
}

/**
 * The modifiers as written, kept for the type checker: the AST drops `matching` when a side is a
 * scalar, but `1 + on(a) x` must still be reported.
 */
export const writtenModifiers = new WeakMap<BinaryExpr, VectorMatching>();

const SET_OPS: ReadonlySet<BinaryOp> = new Set(['and', 'or', 'unless']);

export function isSetOp(op: BinaryOp): boolean {
  return SET_OPS.has(op);
}

/** Parses the modifiers between a binary operator and its right operand. */
export function parseBinModifiers(ts: TokenStream): BinModifiers {
  const returnBool = ts.accept('bool') !== undefined;
  let matching: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, include: [] };
  const kw = ts.peek().type;
  if (kw === 'on' || kw === 'ignoring') {
    ts.next();
    matching = { ...matching, on: kw === 'on', matchingLabels: parseGroupingLabels(ts) };
    const group = ts.peek().type;
    if (group === 'group_left' || group === 'group_right') {
      ts.next();
      const include = ts.peek().type === '(' ? parseGroupingLabels(ts) : [];
      matching = { ...matching, card: group === 'group_left' ? 'many-to-one' : 'one-to-many', include };
    }
  }
  // Upstream's grammar: `fill(v)`, or `fill_left(v)` and/or `fill_right(v)` in either order,
  // each at most once; anything else after them is left to the operand (a syntax error there).
  const first = ts.peek().type;
  if (first === 'fill') {
    ts.next();
    const v = parseFillValue(ts);
    matching = { ...matching, fillLeft: v, fillRight: v };
  } else if (first === 'fill_left' || first === 'fill_right') {
    for (const side of first === 'fill_left' ? ['fill_left', 'fill_right'] : ['fill_right', 'fill_left']) {
      if (ts.peek().type !== side) break;
      ts.next();
      const v = parseFillValue(ts);
      matching = side === 'fill_left' ? { ...matching, fillLeft: v } : { ...matching, fillRight: v };
    }
  }
  return { returnBool, matching };
}

/** `(1)`, `(-1)`, `(NaN)`, `(5m)` after a fill keyword: a number or duration literal, signed. */
function parseFillValue(ts: TokenStream): number {
  ts.expect('(', 'fill modifier', '"("');
  const sign = ts.accept('-') ?? ts.accept('+');
  const num = ts.peek();
  if (num.type !== 'NUMBER' && num.type !== 'DURATION') ts.unexpected('fill modifier', 'number or duration');
  ts.next();
  ts.expect(')', 'fill modifier', '")"');
  const v = num.type === 'NUMBER' ? parseNumber(num.val) : durationLiteral(ts, num).val;
  return sign?.type === '-' ? -v : v;
}

/**
 * Builds a BinaryExpr the way upstream normalises it: no vector matching unless both sides are
 * instant vectors, and set operators always many-to-many.
 */
export function newBinaryExpr(op: BinaryOp, lhs: Expr, rhs: Expr, mods: BinModifiers): BinaryExpr {
  const bothVectors = typeOf(lhs) === 'vector' && typeOf(rhs) === 'vector';
  const written = mods.matching;
  const matching: VectorMatching | null = !bothVectors
    ? null
    : isSetOp(op) && written.card === 'one-to-one'
      ? { ...written, card: 'many-to-many' }
      : written;
  const node: BinaryExpr = {
    kind: 'BinaryExpr',
    op,
    lhs,
    rhs,
    matching,
    returnBool: mods.returnBool,
    pos: { start: lhs.pos.start, end: rhs.pos.end },
  };
  writtenModifiers.set(node, written);
  return node;
}
