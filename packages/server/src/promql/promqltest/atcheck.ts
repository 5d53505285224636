/**
 * Upstream's step-invariance re-check (FORMAT.md §8.2): pin every selector and subquery of an
 * instant eval with `@ T` and evaluate it at other times; the result must not change.
 */

import { assertNever, type Expr } from '../parser/ast.js';

const TIME_DEPENDENT =
  /\b(days_in_month|day_of_month|day_of_week|day_of_year|hour|minute|month|year|time|timestamp|predict_linear|start|end|range|step)\s*\(/;

/** True when the expression may be re-checked (it does not read the evaluation time). */
export function atCheckApplies(exprText: string): boolean {
  return !TIME_DEPENDENT.test(exprText);
}

/** The evaluation times of the re-check for an eval at `t` ms. */
export function atCheckTimes(t: number): number[] {
  return t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
}

/** `e` with `@ t` on every selector and subquery not already pinned (nor inside a pinned subquery). */
export function pinAt(e: Expr, ms: number): Expr {
  const at = { kind: 'timestamp' as const, ms };
  switch (e.kind) {
    case 'NumberLiteral':
    case 'StringLiteral':
      return e;
    case 'VectorSelector':
      return e.at === null ? { ...e, at } : e;
    case 'MatrixSelector':
      return e.vector.at === null ? { ...e, vector: { ...e.vector, at } } : e;
    case 'SubqueryExpr':
      return e.at === null ? { ...e, at } : e;
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr':
      return { ...e, expr: pinAt(e.expr, ms) };
    case 'BinaryExpr':
      return { ...e, lhs: pinAt(e.lhs, ms), rhs: pinAt(e.rhs, ms) };
    case 'AggregateExpr':
      return { ...e, expr: pinAt(e.expr, ms), param: e.param === null ? null : pinAt(e.param, ms) };
    case 'Call':
      return { ...e, args: e.args.map((a) => pinAt(a, ms)) };
    default:
      return assertNever(e);
  }
}
