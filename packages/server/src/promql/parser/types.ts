/** The static type of an expression, as Prometheus computes it at parse time. */

import { assertNever, type Expr, type ValueType } from './ast.js';
import { getFunction } from './functions.js';

/** Types of binary expressions, cached because the parser asks for them at every level of a long chain. */
const binaryTypes = new WeakMap<Expr, ValueType>();

/** The type an expression evaluates to. Calls to unknown functions never reach here (the parser rejects them). */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'NumberLiteral':
      return 'scalar';
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
    case 'AggregateExpr':
      return 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'ParenExpr':
    case 'UnaryExpr':
    case 'StepInvariantExpr':
      return typeOf(e.expr);
    case 'BinaryExpr': {
      let t = binaryTypes.get(e);
      if (t === undefined) {
        t = typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
        binaryTypes.set(e, t);
      }
      return t;
    }
    case 'Call':
      return getFunction(e.func)?.returnType ?? 'vector';
    default:
      return assertNever(e);
  }
}

/** The name Prometheus' messages use for a type: `instant vector`, `range vector`, `scalar`, `string`. */
export function documentedType(t: ValueType): string {
  switch (t) {
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
    default:
      return t;
  }
}
