/**
 * Duration expressions (Prometheus 3 experimental, always enabled here): `x[26m+4m]`, `x[1h/2]`,
 * `x[step()]`, `[5m:min_of(step(), 1m)]`, `offset -(1m + step())`. They are ordinary AST nodes —
 * NumberLiteral (seconds), BinaryExpr, UnaryExpr, ParenExpr and Call of `step`, `range`, `min_of`,
 * `max_of` — so the printer and visitors need nothing new.
 */

import type { Expr, NumberLiteral } from './ast.js';
import { parseDuration } from './duration.js';
import { parseNumber } from './literals.js';
import { type TokenStream, tokenRange } from './stream.js';
import type { Token, TokenType } from './token.js';

/** What `step()` and `range()` stand for when a duration expression is evaluated. */
export interface DurationContext {
  /** The query's step in ms (0 for an instant query). */
  readonly stepMs: number;
  /** The query's end minus start in ms (0 for an instant query). */
  readonly rangeMs: number;
}

const PRECEDENCE: Partial<Record<TokenType, number>> = { '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6 };
/** Unary minus binds like `*`, so `-2^2` is `-(2^2)`, as in expressions. */
const UNARY_OPERAND_PRECEDENCE = 6;
/** Go's time.Duration limit, in seconds. */
const MAX_SECONDS = 2 ** 63 / 1e9;

/** Called when no duration can start at the next token; it throws the caller's error. */
type OnMissing = () => never;

/** Parses a full duration expression with `+ - * / % ^`, as inside `[…]` or `offset (…)`. */
export function parseDurationExpr(ts: TokenStream, onMissing: OnMissing, minPrecedence = 0): Expr {
  let lhs = parseUnary(ts, onMissing);
  for (;;) {
    const op = ts.peek();
    const prec = PRECEDENCE[op.type];
    if (prec === undefined || prec < minPrecedence) return lhs;
    ts.next();
    const rhs = parseDurationExpr(ts, onMissing, op.type === '^' ? prec : prec + 1);
    if ((op.type === '/' || op.type === '%') && rhs.kind === 'NumberLiteral' && rhs.val === 0) {
      ts.fail(op.type === '/' ? 'division by zero' : 'modulo by zero', tokenRange(op));
    }
    lhs = {
      kind: 'BinaryExpr',
      op: op.type as '+' | '-' | '*' | '/' | '%' | '^',
      lhs,
      rhs,
      matching: null,
      returnBool: false,
      pos: { start: lhs.pos.start, end: rhs.pos.end },
    };
  }
}

/**
 * The duration after `offset`: an optionally signed literal, `step()`, `range()`, `min_of(…)`,
 * `max_of(…)` or parenthesised expression. It stops before binary operators, so that
 * `x offset 5m * 2` is `(x offset 5m) * 2`, as upstream.
 */
export function parseOffsetDuration(ts: TokenStream, onMissing: OnMissing): Expr {
  const sign = ts.peek();
  if (sign.type !== '+' && sign.type !== '-') return parseAtom(ts, onMissing);
  ts.next();
  return applySign(ts, sign, parseAtom(ts, onMissing));
}

function parseUnary(ts: TokenStream, onMissing: OnMissing): Expr {
  const sign = ts.peek();
  if (sign.type !== '+' && sign.type !== '-') return parseAtom(ts, onMissing);
  ts.next();
  return applySign(ts, sign, parseDurationExpr(ts, onMissing, UNARY_OPERAND_PRECEDENCE));
}

function applySign(ts: TokenStream, sign: Token, e: Expr): Expr {
  const pos = { start: sign.pos, end: e.pos.end };
  if (e.kind === 'NumberLiteral') {
    return checkedLiteral(ts, { ...e, val: sign.type === '-' ? -e.val : e.val, pos });
  }
  return sign.type === '-' ? { kind: 'UnaryExpr', op: '-', expr: e, pos } : e;
}

function parseAtom(ts: TokenStream, onMissing: OnMissing): Expr {
  const tok = ts.peek();
  switch (tok.type) {
    case 'NUMBER':
      ts.next();
      return checkedLiteral(ts, numberLiteral(ts, tok));
    case 'DURATION':
      ts.next();
      return durationLiteral(ts, tok);
    case '(': {
      ts.next();
      const inner = parseDurationExpr(ts, onMissing);
      const close = ts.expect(')', '', '');
      return { kind: 'ParenExpr', expr: inner, pos: { start: tok.pos, end: close.pos + 1 } };
    }
    case 'step':
    case 'range': {
      ts.next();
      if (!ts.accept('(')) return onMissing();
      return call(tok.type, [], tok, ts.accept(')') ?? onMissing());
    }
    case 'IDENTIFIER': {
      const name = tok.val.toLowerCase();
      if ((name !== 'min_of' && name !== 'max_of') || ts.peekSecond().type !== '(') return onMissing();
      ts.next();
      ts.next();
      const a = parseDurationExpr(ts, onMissing);
      if (!ts.accept(',')) return onMissing();
      const b = parseDurationExpr(ts, onMissing);
      return call(name, [a, b], tok, ts.accept(')') ?? onMissing());
    }
  }
  return onMissing();
}

function call(func: string, args: Expr[], nameTok: Token, close: Token): Expr {
  return { kind: 'Call', func, args, pos: { start: nameTok.pos, end: close.pos + 1 } };
}

/** A NUMBER token as a literal; Go's parser rejects what overflows a float64. */
export function numberLiteral(ts: TokenStream, tok: Token): NumberLiteral {
  let val: number;
  try {
    val = parseNumber(tok.val);
  } catch (err) {
    ts.fail((err as Error).message, tokenRange(tok));
  }
  return { kind: 'NumberLiteral', val, pos: tokenRange(tok) };
}

/** A DURATION token (`5m`) as a literal in seconds. */
export function durationLiteral(ts: TokenStream, tok: Token): NumberLiteral {
  let ms: number;
  try {
    ms = parseDuration(tok.val);
  } catch (err) {
    ts.fail((err as Error).message, tokenRange(tok));
  }
  return { kind: 'NumberLiteral', val: ms / 1000, pos: tokenRange(tok), duration: true };
}

function checkedLiteral(ts: TokenStream, lit: NumberLiteral): NumberLiteral {
  if (lit.val > MAX_SECONDS || lit.val < -MAX_SECONDS) ts.fail('duration out of range', lit.pos);
  return lit;
}

/** True when the expression calls `step()` or `range()`, so only the engine can know its value. */
function dependsOnQuery(e: Expr): boolean {
  switch (e.kind) {
    case 'Call':
      return e.func === 'step' || e.func === 'range' || e.args.some(dependsOnQuery);
    case 'BinaryExpr':
      return dependsOnQuery(e.lhs) || dependsOnQuery(e.rhs);
    case 'UnaryExpr':
    case 'ParenExpr':
      return dependsOnQuery(e.expr);
    default:
      return false;
  }
}

/**
 * The value of a duration expression in ms, with `step()` and `range()` taken from `ctx`.
 * Arithmetic is in float seconds, as upstream; throws an Error (`division by zero`,
 * `modulo by zero`, `duration out of range`) the engine reports as an execution error.
 */
export function evalDurationExpr(e: Expr, ctx: DurationContext): number {
  const seconds = evalSeconds(e, ctx);
  if (!(Math.abs(seconds) <= MAX_SECONDS)) throw new Error('duration out of range');
  return secondsToMs(seconds);
}

/** Seconds to whole ms the way Go gets there: rounded to ns, then truncated to ms. */
function secondsToMs(seconds: number): number {
  return Math.trunc(Math.round(seconds * 1e9) / 1e6);
}

function evalSeconds(e: Expr, ctx: DurationContext): number {
  switch (e.kind) {
    case 'NumberLiteral':
      return e.val;
    case 'ParenExpr':
      return evalSeconds(e.expr, ctx);
    case 'UnaryExpr':
      return e.op === '-' ? -evalSeconds(e.expr, ctx) : evalSeconds(e.expr, ctx);
    case 'Call': {
      if (e.func === 'step') return ctx.stepMs / 1000;
      if (e.func === 'range') return ctx.rangeMs / 1000;
      const [a, b] = e.args.map((arg) => evalSeconds(arg, ctx)) as [number, number];
      return e.func === 'min_of' ? Math.min(a, b) : Math.max(a, b);
    }
    case 'BinaryExpr': {
      const a = evalSeconds(e.lhs, ctx);
      const b = evalSeconds(e.rhs, ctx);
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          if (b === 0) throw new Error('division by zero');
          return a / b;
        case '%':
          if (b === 0) throw new Error('modulo by zero');
          return a % b;
        case '^':
          return a ** b;
      }
    }
  }
  throw new Error(`unexpected node ${e.kind} in duration expression`);
}

/**
 * Resolves a parsed duration for the AST: a constant is folded into ms now (and its expression kept
 * only when it is more than a literal, for printing); one that depends on the query stays an
 * expression with value 0. `positive` rejects values ≤ 0, as ranges and steps require.
 */
export function resolveDuration(
  ts: TokenStream,
  e: Expr,
  positive: boolean,
): { readonly ms: number; readonly expr?: Expr } {
  if (dependsOnQuery(e)) return { ms: 0, expr: e };
  let ms: number;
  try {
    ms = evalDurationExpr(e, { stepMs: 0, rangeMs: 0 });
  } catch (err) {
    ts.fail((err as Error).message, e.pos);
  }
  if (positive && ms <= 0) ts.fail('duration must be greater than 0', e.pos);
  return e.kind === 'NumberLiteral' ? { ms } : { ms, expr: e };
}
