/**
 * The AST as `/api/v1/parse_query` returns it: the JSON shape of Prometheus'
 * `web/api/v1/translate_ast.go`, which the Prometheus UI's "explain" view reads.
 */

import { type AtModifier, assertNever, type Expr } from '../../promql/parser/ast.js';
import { FUNCTIONS } from '../../promql/parser/functions.js';

function at(a: AtModifier | null): { timestamp: number | null; startOrEnd: string | null } {
  if (a === null) return { timestamp: null, startOrEnd: null };
  if (a.kind === 'timestamp') return { timestamp: a.ms, startOrEnd: null };
  return { timestamp: null, startOrEnd: a.kind };
}

export function astToJson(e: Expr): unknown {
  switch (e.kind) {
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: String(e.val) };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: e.val };
    case 'VectorSelector':
      return {
        type: 'vectorSelector',
        name: e.name,
        matchers: e.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value })),
        offset: e.offset,
        ...at(e.at),
      };
    case 'MatrixSelector':
      return {
        type: 'matrixSelector',
        range: e.range,
        name: e.vector.name,
        matchers: e.vector.matchers.map((m) => ({ type: m.type, name: m.name, value: m.value })),
        offset: e.vector.offset,
        ...at(e.vector.at),
      };
    case 'SubqueryExpr':
      return {
        type: 'subquery',
        expr: astToJson(e.expr),
        range: e.range,
        offset: e.offset,
        step: e.step,
        ...at(e.at),
      };
    case 'ParenExpr':
      return { type: 'parenExpr', expr: astToJson(e.expr) };
    case 'UnaryExpr':
      return { type: 'unaryExpr', op: e.op, expr: astToJson(e.expr) };
    case 'BinaryExpr':
      return {
        type: 'binaryExpr',
        op: e.op,
        lhs: astToJson(e.lhs),
        rhs: astToJson(e.rhs),
        matching:
          e.matching === null
            ? null
            : {
                card: e.matching.card,
                labels: e.matching.matchingLabels,
                on: e.matching.on,
                include: e.matching.include,
              },
        bool: e.returnBool,
      };
    case 'AggregateExpr':
      return {
        type: 'aggregation',
        op: e.op,
        expr: astToJson(e.expr),
        param: e.param === null ? null : astToJson(e.param),
        grouping: e.grouping,
        without: e.without,
      };
    case 'Call': {
      const sig = FUNCTIONS[e.func];
      return {
        type: 'call',
        func: {
          name: e.func,
          argTypes: sig?.argTypes ?? [],
          variadic: sig?.variadic ?? 0,
          returnType: sig?.returnType ?? 'vector',
        },
        args: e.args.map(astToJson),
      };
    }
    case 'StepInvariantExpr':
      return astToJson(e.expr);
    default:
      return assertNever(e);
  }
}
