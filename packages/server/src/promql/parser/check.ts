/**
 * The type checker Prometheus runs after a successful parse (its `checkAST`): argument counts and
 * types, operand types, vector matching rules, empty selectors. The first error found in
 * upstream's traversal order is thrown, so the message is the one Prometheus reports.
 */

import { assertNever, type BinaryExpr, type Expr, type PosRange, type ValueType } from './ast.js';
import { isSetOp, writtenModifiers } from './binary.js';
import { getFunction } from './functions.js';
import { quoteString } from './literals.js';
import { documentedType, typeOf } from './types.js';

type Fail = (reason: string, pos: PosRange) => never;

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

export function checkExpr(e: Expr, input: string, fail: Fail): ValueType {
  const check = (x: Expr) => checkExpr(x, input, fail);
  const expectType = (x: Expr, want: ValueType, context: string) => {
    const got = check(x);
    if (got !== want) {
      fail(`expected type ${documentedType(want)} in ${context}, got ${documentedType(got)}`, x.pos);
    }
  };
  switch (e.kind) {
    case 'NumberLiteral':
    case 'StringLiteral':
      break;
    case 'ParenExpr':
    case 'StepInvariantExpr':
      check(e.expr);
      break;
    case 'UnaryExpr': {
      const t = check(e.expr);
      if (t !== 'scalar' && t !== 'vector') {
        fail(
          `unary expression only allowed on expressions of type scalar or instant vector, got ${quoteString(documentedType(t))}`,
          e.pos,
        );
      }
      break;
    }
    case 'AggregateExpr':
      expectType(e.expr, 'vector', 'aggregation expression');
      if (e.param)
        expectType(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
      break;
    case 'Call':
      checkCall(e, check, fail);
      break;
    case 'BinaryExpr':
      checkBinary(e, input, check, fail);
      break;
    case 'SubqueryExpr': {
      const t = check(e.expr);
      if (t !== 'vector') fail(`subquery is only allowed on instant vector, got ${t} instead`, e.pos);
      break;
    }
    case 'MatrixSelector':
      check(e.vector);
      break;
    case 'VectorSelector':
      checkSelector(e, fail, false);
      break;
    default:
      assertNever(e);
  }
  return typeOf(e);
}

function checkSelector(e: Expr & { kind: 'VectorSelector' }, fail: Fail, labelsOnly: boolean): void {
  if (e.name !== '') {
    // The last matcher is the one implied by the name; an earlier __name__ one sets it twice.
    const twice = e.matchers.slice(0, -1).find((m) => m.name === '__name__');
    if (twice)
      fail(`metric name must not be set twice: ${quoteString(e.name)} or ${quoteString(twice.value)}`, e.pos);
    return;
  }
  // Selecting everything by accident (a typo in a label name) is refused, except for info()'s
  // label filter, which only narrows the info metrics it joins.
  if (!labelsOnly && !e.matchers.some((m) => !m.matches(''))) {
    fail('vector selector must contain at least one non-empty matcher', e.pos);
  }
}

function checkCall(e: Expr & { kind: 'Call' }, check: (x: Expr) => ValueType, fail: Fail): void {
  const fn = getFunction(e.func);
  if (!fn) fail(`unknown function with name ${quoteString(e.func)}`, e.pos);
  const name = quoteString(e.func);
  const nargs = fn.argTypes.length;
  const variadic = fn.variadic ?? 0;
  const got = e.args.length;
  if (variadic === 0) {
    if (nargs !== got) fail(`expected ${nargs} argument(s) in call to ${name}, got ${got}`, e.pos);
  } else if (nargs - 1 > got) {
    fail(`expected at least ${nargs - 1} argument(s) in call to ${name}, got ${got}`, e.pos);
  } else if (variadic > 0 && nargs - 1 + variadic < got) {
    fail(`expected at most ${nargs - 1 + variadic} argument(s) in call to ${name}, got ${got}`, e.pos);
  }
  const filter = e.func === 'info' ? e.args[1] : undefined;
  if (filter) {
    const t = typeOf(filter);
    if (t !== 'vector')
      fail(`expected type instant vector in call to function ${name}, got ${documentedType(t)}`, e.pos);
    if (filter.kind !== 'VectorSelector') fail('expected label selectors only', filter.pos);
    if (filter.name !== '') fail('expected label selectors only, got vector selector instead', filter.pos);
  }
  e.args.forEach((arg, i) => {
    if (i >= nargs && variadic === 0) return;
    const want = fn.argTypes[Math.min(i, nargs - 1)] as ValueType;
    let t: ValueType = 'vector';
    if (arg === filter && arg.kind === 'VectorSelector') checkSelector(arg, fail, true);
    else t = check(arg);
    if (t !== want) {
      fail(
        `expected type ${documentedType(want)} in call to function ${name}, got ${documentedType(t)}`,
        arg.pos,
      );
    }
  });
}

function checkBinary(e: BinaryExpr, input: string, check: (x: Expr) => ValueType, fail: Fail): void {
  const lt = check(e.lhs);
  const rt = check(e.rhs);
  const written = writtenModifiers.get(e) ?? e.matching;
  const opPos = () => operatorRange(e, input);
  const comparison = COMPARISONS.has(e.op);
  if (e.returnBool && !comparison) fail('bool modifier can only be used on comparison operators', opPos());
  if (comparison && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
    fail('comparisons between scalars must use BOOL modifier', opPos());
  }
  if (written?.on) {
    const both = written.matchingLabels.find((l) => written.include.includes(l));
    if (both !== undefined)
      fail(`label ${quoteString(both)} must not occur in ON and GROUP clause at once`, opPos());
  }
  if (lt !== 'scalar' && lt !== 'vector') {
    fail('binary expression must contain only scalar and instant vector types', e.lhs.pos);
  }
  if (rt !== 'scalar' && rt !== 'vector') {
    fail('binary expression must contain only scalar and instant vector types', e.rhs.pos);
  }
  const fills = written !== null && (written.fillLeft !== undefined || written.fillRight !== undefined);
  if (lt !== 'vector' || rt !== 'vector') {
    if (written && written.matchingLabels.length > 0)
      fail('vector matching only allowed between instant vectors', e.pos);
    if (fills) fail('filling in missing series only allowed between instant vectors', e.pos);
  } else if (isSetOp(e.op) && written) {
    if (written.card === 'one-to-many' || written.card === 'many-to-one') {
      fail(`no grouping allowed for ${quoteString(e.op)} operation`, e.pos);
    }
    if (fills) fail('filling in missing series not allowed for set operators', e.pos);
  }
  if ((lt === 'scalar' || rt === 'scalar') && isSetOp(e.op)) {
    fail(`set operator ${quoteString(e.op)} not allowed in binary scalar expression`, e.pos);
  }
}

/** The operator's text between the operands, trimmed, as upstream points its operator errors. */
function operatorRange(e: BinaryExpr, input: string): PosRange {
  let start = e.lhs.pos.end;
  let end = e.rhs.pos.start - 1;
  while (start < end && /\s/.test(input[start] ?? '')) start++;
  while (end > start && /\s/.test(input[end] ?? '')) end--;
  return { start, end };
}
