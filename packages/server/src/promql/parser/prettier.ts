/**
 * Multi-line PromQL for long expressions, like Prometheus' `Prettify`/`Expr.Pretty(0)`, which is
 * what upstream's `/api/v1/format_query` returns: a node whose one-line form fits in 100
 * characters stays on one line; a longer one is split, its children indented by two spaces.
 */

import { assertNever, type Expr } from './ast.js';
import { aggregatePrefix, binaryOperator, formatExpr, subquerySuffix } from './printer.js';

const MAX_LINE = 100;
const INDENT = '  ';

/** Formats an expression over several lines where it is too long for one. */
export function prettyExpr(e: Expr): string {
  return pretty(e, 0);
}

function pretty(e: Expr, level: number): string {
  const pad = INDENT.repeat(level);
  const oneLine = formatExpr(e);
  // Upstream measures bytes.
  if (Buffer.byteLength(oneLine) <= MAX_LINE) {
    // Upstream leaves a subquery that fits unindented; kept so that outputs match byte for byte.
    return e.kind === 'SubqueryExpr' ? oneLine : pad + oneLine;
  }
  switch (e.kind) {
    case 'AggregateExpr': {
      const param = e.param ? `${pretty(e.param, level + 1)},\n` : '';
      return `${pad}${aggregatePrefix(e)}(\n${param}${pretty(e.expr, level + 1)}\n${pad})`;
    }
    case 'BinaryExpr':
      return `${pretty(e.lhs, level + 1)}\n${pad}${binaryOperator(e)}\n${pretty(e.rhs, level + 1)}`;
    case 'Call':
      return `${pad}${e.func}(\n${e.args.map((a) => pretty(a, level + 1)).join(',\n')}\n${pad})`;
    case 'ParenExpr':
      return `${pad}(\n${pretty(e.expr, level + 1)}\n${pad})`;
    case 'SubqueryExpr':
      return pretty(e.expr, level) + subquerySuffix(e);
    case 'UnaryExpr':
      return `${pad}${e.op}${pretty(e.expr, level).trim()}`;
    case 'StepInvariantExpr':
      return pretty(e.expr, level);
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
    case 'MatrixSelector':
      return pad + oneLine;
    default:
      return assertNever(e);
  }
}
