/** Postfix modifiers: range selectors and subqueries `[…]`, `offset`, `@`, `anchored`, `smoothed`. */

import type { AtModifier, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast.js';
import {
  durationLiteral,
  numberLiteral,
  parseDurationExpr,
  parseOffsetDuration,
  resolveDuration,
} from './durationexpr.js';
import { formatNumber } from './literals.js';
import type { TokenStream } from './stream.js';

const PRECEDED_BY = 'must be preceded by an instant vector selector or range vector selector or a subquery';

/** Applies every postfix modifier that follows `e`. */
export function parsePostfix(ts: TokenStream, e: Expr): Expr {
  for (;;) {
    const tok = ts.peek();
    switch (tok.type) {
      case '[':
        e = parseRangeOrSubquery(ts, e);
        break;
      case 'offset':
        e = parseOffset(ts, e);
        break;
      case '@':
        e = parseAt(ts, e);
        break;
      case 'anchored':
      case 'smoothed':
        ts.next();
        e = setExtended(ts, e, tok.type);
        break;
      default:
        return e;
    }
  }
}

function parseRangeOrSubquery(ts: TokenStream, e: Expr): Expr {
  const open = ts.next();
  const rangeExpr = parseDurationExpr(ts, () =>
    ts.unexpected('subquery or range selector', 'number, duration, step(), or range()'),
  );
  const sep = ts.peek();
  if (sep.type !== ']' && sep.type !== ':') ts.unexpected('subquery or range', '":" or "]"');
  const range = resolveDuration(ts, rangeExpr, true);
  ts.next();
  if (sep.type === ']') {
    const errPos = { start: open.pos, end: sep.pos + 1 };
    if (e.kind !== 'VectorSelector') ts.fail('ranges only allowed for vector selectors', errPos);
    if (e.offset !== 0 || e.offsetExpr) ts.fail('no offset modifiers allowed before range', errPos);
    if (e.at) ts.fail('no @ modifiers allowed before range', errPos);
    const m: MatrixSelector = {
      kind: 'MatrixSelector',
      vector: e,
      range: range.ms,
      pos: { start: e.pos.start, end: sep.pos + 1 },
    };
    return range.expr ? { ...m, rangeExpr: range.expr } : m;
  }
  let step: { readonly ms: number; readonly expr?: Expr } = { ms: 0 };
  if (ts.peek().type !== ']') {
    const stepExpr = parseDurationExpr(ts, () =>
      ts.unexpected('subquery selector', 'number, duration, step(), range(), or "]"'),
    );
    if (ts.peek().type !== ']') ts.unexpected('subquery selector', '"]"');
    step = resolveDuration(ts, stepExpr, true);
  }
  const close = ts.next();
  const sq: SubqueryExpr = {
    kind: 'SubqueryExpr',
    expr: e,
    range: range.ms,
    step: step.ms,
    offset: 0,
    at: null,
    pos: { start: e.pos.start, end: close.pos + 1 },
  };
  return { ...sq, ...(range.expr && { rangeExpr: range.expr }), ...(step.expr && { stepExpr: step.expr }) };
}

function parseOffset(ts: TokenStream, e: Expr): Expr {
  ts.next();
  const d = parseOffsetDuration(ts, () => ts.unexpected('offset', 'number, duration, step(), or range()'));
  const off = resolveDuration(ts, d, false);
  const set = <T extends VectorSelector | SubqueryExpr>(node: T): T => {
    if (node.offset !== 0 || node.offsetExpr) ts.fail('offset may not be set multiple times', e.pos);
    return { ...node, offset: off.ms, ...(off.expr && { offsetExpr: off.expr }) };
  };
  const pos = { start: e.pos.start, end: ts.lastClosing };
  switch (e.kind) {
    case 'VectorSelector':
      return { ...set(e), pos };
    case 'MatrixSelector':
      return { ...e, vector: set(e.vector), pos };
    case 'SubqueryExpr':
      return { ...set(e), pos };
    default:
      return ts.fail(`offset modifier ${PRECEDED_BY}`, e.pos);
  }
}

function parseAt(ts: TokenStream, e: Expr): Expr {
  ts.next();
  const at = parseAtValue(ts, e);
  const set = <T extends VectorSelector | SubqueryExpr>(node: T): T => {
    if (node.at) ts.fail('@ <timestamp> may not be set multiple times', e.pos);
    return { ...node, at };
  };
  const pos = { start: e.pos.start, end: ts.lastClosing };
  switch (e.kind) {
    case 'VectorSelector':
      return { ...set(e), pos };
    case 'MatrixSelector':
      return { ...e, vector: set(e.vector), pos };
    case 'SubqueryExpr':
      return { ...set(e), pos };
    default:
      return ts.fail(`@ modifier ${PRECEDED_BY}`, e.pos);
  }
}

/** `start()`, `end()`, or a signed number or duration of seconds. */
function parseAtValue(ts: TokenStream, target: Expr): AtModifier {
  const tok = ts.peek();
  if (tok.type === 'start' || tok.type === 'end') {
    ts.next();
    if (!ts.accept('(') || !ts.accept(')')) ts.unexpected('@', 'timestamp');
    return { kind: tok.type };
  }
  const sign = ts.accept('-') ?? ts.accept('+');
  const num = ts.peek();
  if (num.type !== 'NUMBER' && num.type !== 'DURATION') ts.unexpected('@', 'timestamp');
  ts.next();
  const abs = (num.type === 'NUMBER' ? numberLiteral(ts, num) : durationLiteral(ts, num)).val;
  const seconds = sign?.type === '-' ? -abs : abs;
  if (!Number.isFinite(seconds) || Math.abs(seconds) >= 2 ** 63) {
    ts.fail(`timestamp out of bounds for @ modifier: ${goFixed(seconds)}`, target.pos);
  }
  return { kind: 'timestamp', ms: Math.round(seconds * 1000) };
}

/** Go's `%f`. */
function goFixed(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return Math.abs(v) < 1e21 ? v.toFixed(6) : `${formatNumber(v)}.000000`;
}

function setExtended(ts: TokenStream, e: Expr, flag: 'anchored' | 'smoothed'): Expr {
  const other = flag === 'anchored' ? 'smoothed' : 'anchored';
  const set = (vs: VectorSelector): VectorSelector => {
    if (vs[other]) ts.fail('anchored and smoothed modifiers cannot be used together', e.pos);
    return { ...vs, [flag]: true };
  };
  switch (e.kind) {
    case 'VectorSelector':
      return set(e);
    case 'MatrixSelector':
      return { ...e, vector: set(e.vector) };
    case 'SubqueryExpr':
      return ts.fail(`${flag} modifier is not supported for subqueries`, e.pos);
    default:
      return ts.fail(`${flag} modifier not implemented`, e.pos);
  }
}
