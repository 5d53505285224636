/**
 * The expression grammar: a precedence-climbing parser over the token stream. Precedence, low to
 * high: `or`; `and unless`; comparisons; `+ -`; `* / % atan2`; `^` (right-associative). Unary
 * minus binds like `*` (so `-a^b` is `-(a^b)`), and the postfix modifiers `[…]`, `offset`, `@`,
 * `anchored`, `smoothed` bind tighter than everything.
 */

import type { AggregateExpr, AggregateOp, BinaryOp, Call, Expr } from './ast.js';
import { newBinaryExpr, parseBinModifiers } from './binary.js';
import { durationLiteral, numberLiteral } from './durationexpr.js';
import { getFunction } from './functions.js';
import { quoteString, unquoteString } from './literals.js';
import { parsePostfix } from './modifiers.js';
import { parseGroupingLabels, parseVectorSelector } from './selector.js';
import { type TokenStream, tokenRange } from './stream.js';
import { isAggregator, isWord, type Token, type TokenType } from './token.js';

const BINARY_PRECEDENCE: Partial<Record<TokenType, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '</': 5,
  '>/': 5,
  '^': 6,
};
const UNARY_OPERAND_PRECEDENCE = 6;

/** Aggregations that take a parameter before the vector. */
const PARAM_AGGREGATIONS: ReadonlySet<AggregateOp> = new Set([
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'limitk',
  'limit_ratio',
]);

/** Keywords that can never name a metric (everything else that is a word can, as upstream). */
const NOT_METRIC_NAMES: ReadonlySet<TokenType> = new Set([
  'bool',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'atan2',
  'fill',
  'fill_left',
  'fill_right',
]);

/**
 * Tokens that may follow a vector selector. An aggregation keyword followed by one of them is a
 * metric name (`sum + 1`); followed by anything else but `(`/`by`/`without` it is a broken aggregation.
 */
const FOLLOWS_SELECTOR: ReadonlySet<TokenType> = new Set([
  ...(Object.keys(BINARY_PRECEDENCE) as TokenType[]),
  'EOF',
  ')',
  ',',
  ']',
  ':',
  '{',
  '[',
  'offset',
  '@',
  'anchored',
  'smoothed',
]);

/** Parses one expression, up to the first token that cannot continue it. */
export function parseExpression(ts: TokenStream, minPrecedence = 0): Expr {
  let lhs = parseUnary(ts);
  for (;;) {
    const op = ts.peek();
    const prec = BINARY_PRECEDENCE[op.type];
    if (prec === undefined || prec < minPrecedence) return lhs;
    ts.next();
    const modifiers = parseBinModifiers(ts);
    const rhs = parseExpression(ts, op.type === '^' ? prec : prec + 1);
    lhs = newBinaryExpr(op.type as BinaryOp, lhs, rhs, modifiers);
  }
}

function parseUnary(ts: TokenStream): Expr {
  const op = ts.peek();
  if (op.type !== '+' && op.type !== '-') return parsePostfix(ts, parsePrimary(ts));
  ts.next();
  const operand = parseExpression(ts, UNARY_OPERAND_PRECEDENCE);
  const pos = { start: op.pos, end: operand.pos.end };
  // A signed number is a literal, as upstream: `-1` is NumberLiteral(-1), not a UnaryExpr.
  if (operand.kind === 'NumberLiteral')
    return { ...operand, val: op.type === '-' ? -operand.val : operand.val, pos };
  return { kind: 'UnaryExpr', op: op.type, expr: operand, pos };
}

function parsePrimary(ts: TokenStream): Expr {
  const tok = ts.peek();
  switch (tok.type) {
    case 'NUMBER':
      ts.next();
      return numberLiteral(ts, tok);
    case 'DURATION':
      ts.next();
      return durationLiteral(ts, tok);
    case 'STRING':
      ts.next();
      return { kind: 'StringLiteral', val: unquoteString(tok.val), pos: tokenRange(tok) };
    case '(': {
      ts.next();
      const inner = parseExpression(ts);
      if (ts.peek().type !== ')') ts.unexpected('', '');
      const close = ts.next();
      return { kind: 'ParenExpr', expr: inner, pos: { start: tok.pos, end: close.pos + 1 } };
    }
    case '{':
      return parseVectorSelector(ts, undefined);
    case 'IDENTIFIER':
      ts.next();
      return ts.peek().type === '(' ? parseCall(ts, tok, tok.val) : parseVectorSelector(ts, tok);
    case 'METRIC_IDENTIFIER':
      ts.next();
      return parseVectorSelector(ts, tok);
    case 'start':
    case 'end':
    case 'step':
    case 'range':
      if (ts.peekSecond().type === '(') {
        ts.next();
        return parseCall(ts, tok, tok.type);
      }
      break;
  }
  if (isAggregator(tok.type)) {
    const second = ts.peekSecond().type;
    if (second === '(' || second === 'by' || second === 'without') return parseAggregate(ts);
    ts.next();
    if (!FOLLOWS_SELECTOR.has(second)) ts.unexpected('', '');
    return parseVectorSelector(ts, tok);
  }
  if (isWord(tok.type) && !NOT_METRIC_NAMES.has(tok.type)) {
    ts.next();
    return parseVectorSelector(ts, tok);
  }
  return ts.unexpected('', '');
}

/** `name(args…)`; the name token is consumed and `(` is next. */
function parseCall(ts: TokenStream, nameTok: Token, name: string): Call {
  const args = parseCallArgs(ts, '');
  if (!getFunction(name))
    ts.fail(`unknown function with name ${quoteString(nameTok.val)}`, tokenRange(nameTok));
  return { kind: 'Call', func: name, args, pos: { start: nameTok.pos, end: ts.lastClosing } };
}

/** `(a, b, …)` of a call or aggregation. */
function parseCallArgs(ts: TokenStream, context: string): Expr[] {
  ts.expect('(', context, '');
  const args: Expr[] = [];
  if (ts.accept(')')) return args;
  for (;;) {
    args.push(parseExpression(ts));
    const comma = ts.accept(',');
    if (comma) {
      if (ts.peek().type === ')')
        ts.fail('trailing commas not allowed in function call args', tokenRange(comma));
    } else if (ts.accept(')')) {
      return args;
    } else {
      ts.unexpected('', '');
    }
  }
}

/** `op [by|without (…)] ([param,] expr) [by|without (…)]`. */
function parseAggregate(ts: TokenStream): AggregateExpr {
  const opTok = ts.next();
  const op = opTok.type as AggregateOp;
  let grouping: string[] = [];
  let without = false;
  let modifierSeen = false;
  const modifier = () => {
    const kw = ts.peek().type;
    if (modifierSeen || (kw !== 'by' && kw !== 'without')) return;
    ts.next();
    without = kw === 'without';
    grouping = parseGroupingLabels(ts);
    modifierSeen = true;
  };
  modifier();
  const args = parseCallArgs(ts, 'aggregation');
  modifier();
  const pos = { start: opTok.pos, end: ts.lastClosing };
  if (args.length === 0) ts.fail('no arguments for aggregate expression provided', pos);
  const wanted = PARAM_AGGREGATIONS.has(op) ? 2 : 1;
  if (args.length !== wanted) {
    ts.fail(
      `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
      pos,
    );
  }
  return {
    kind: 'AggregateExpr',
    op,
    expr: args[wanted - 1] as Expr,
    param: wanted === 2 ? (args[0] as Expr) : null,
    grouping,
    without,
    pos,
  };
}
