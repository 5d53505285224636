/**
 * Canonical PromQL text of an AST, like Prometheus' `Expr.String()` (used by `/api/v1/format_query`):
 * one line, sorted matchers, durations in canonical form (`90s` → `1m30s`), `@` with three decimals.
 * Parentheses appear where the user wrote them (ParenExpr), so parse → print → parse is stable.
 */

import type { Matcher } from '../../model/matcher.js';
import {
  type AggregateExpr,
  type AtModifier,
  assertNever,
  type BinaryExpr,
  type Expr,
  type SubqueryExpr,
  type VectorMatching,
  type VectorSelector,
} from './ast.js';
import { formatDuration } from './duration.js';
import { formatNumber, quoteString } from './literals.js';

/** Formats an expression as canonical PromQL. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'NumberLiteral':
      if (!e.duration) return formatNumber(e.val);
      return e.val < 0 ? `-${formatDuration(-e.val * 1000)}` : formatDuration(e.val * 1000);
    case 'StringLiteral':
      return quoteString(e.val);
    case 'VectorSelector':
      return formatSelector(e) + formatAt(e.at) + formatExtended(e) + formatOffset(e.offset, e.offsetExpr);
    case 'MatrixSelector': {
      const vs = e.vector;
      const range = e.rangeExpr ? formatExpr(e.rangeExpr) : formatDuration(e.range);
      return `${formatSelector(vs)}[${range}]${formatExtended(vs)}${formatAt(vs.at)}${formatOffset(vs.offset, vs.offsetExpr)}`;
    }
    case 'SubqueryExpr':
      return formatExpr(e.expr) + subquerySuffix(e);
    case 'ParenExpr':
      return `(${formatExpr(e.expr)})`;
    case 'UnaryExpr':
      return e.op + formatExpr(e.expr);
    case 'BinaryExpr':
      return `${formatExpr(e.lhs)} ${binaryOperator(e)} ${formatExpr(e.rhs)}`;
    case 'AggregateExpr':
      return formatAggregate(e);
    case 'Call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'StepInvariantExpr':
      return formatExpr(e.expr);
    default:
      return assertNever(e);
  }
}

function formatAggregate(e: AggregateExpr): string {
  const param = e.param ? `${formatExpr(e.param)}, ` : '';
  return `${aggregatePrefix(e)}(${param}${formatExpr(e.expr)})`;
}

/** `sum`, `sum by (a) `, `topk without (b) `: the aggregation up to its opening parenthesis. */
export function aggregatePrefix(e: AggregateExpr): string {
  if (e.without) return `${e.op} without (${formatLabels(e.grouping)}) `;
  if (e.grouping.length > 0) return `${e.op} by (${formatLabels(e.grouping)}) `;
  return e.op;
}

/** `[5m:1m] @ 10.000 offset 1m`: what follows a subquery's inner expression. */
export function subquerySuffix(e: SubqueryExpr): string {
  const range = e.rangeExpr ? formatExpr(e.rangeExpr) : formatDuration(e.range);
  const step = e.stepExpr ? formatExpr(e.stepExpr) : e.step !== 0 ? formatDuration(e.step) : '';
  return `[${range}:${step}]${formatAt(e.at)}${formatOffset(e.offset, e.offsetExpr)}`;
}

/** `* on (a) group_left (b)`: the operator with its modifiers. */
export function binaryOperator(e: BinaryExpr): string {
  return `${e.op}${e.returnBool ? ' bool' : ''}${formatMatching(e)}`;
}

function formatMatching(e: BinaryExpr): string {
  const vm: VectorMatching | null = e.matching;
  if (!vm) return '';
  const grouped = vm.card === 'many-to-one' || vm.card === 'one-to-many';
  let out = '';
  if (vm.matchingLabels.length > 0 || vm.on || grouped) {
    out += ` ${vm.on ? 'on' : 'ignoring'} (${formatLabels(vm.matchingLabels)})`;
  }
  if (grouped) out += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${formatLabels(vm.include)})`;
  if (vm.fillLeft !== undefined && Object.is(vm.fillLeft, vm.fillRight)) {
    out += ` fill (${formatNumber(vm.fillLeft)})`;
  } else {
    if (vm.fillLeft !== undefined) out += ` fill_left (${formatNumber(vm.fillLeft)})`;
    if (vm.fillRight !== undefined) out += ` fill_right (${formatNumber(vm.fillRight)})`;
  }
  return out;
}

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Label names that are not classic identifiers are quoted (Prometheus 3 UTF-8 names). */
function formatLabels(names: readonly string[]): string {
  return names.map((n) => (LEGACY_LABEL.test(n) ? n : quoteString(n))).join(', ');
}

function formatMatcher(m: Matcher): string {
  return `${LEGACY_LABEL.test(m.name) ? m.name : quoteString(m.name)}${m.type}${quoteString(m.value)}`;
}

/** `name{a="b",c=~"d"}` with the implied `__name__` matcher left out and the rest sorted. */
function formatSelector(vs: VectorSelector): string {
  const impliedName = (m: Matcher) =>
    m.name === '__name__' && m.type === '=' && m.value === vs.name && m.value !== '';
  const matchers = vs.matchers
    .filter((m) => !impliedName(m))
    .map(formatMatcher)
    .sort();
  if (vs.name !== '' && !LEGACY_METRIC.test(vs.name)) {
    // A UTF-8 metric name can only be written inside the braces.
    return `{${[quoteString(vs.name), ...matchers].join(', ')}}`;
  }
  return matchers.length > 0 ? `${vs.name}{${matchers.join(',')}}` : vs.name;
}

function formatAt(at: AtModifier | null): string {
  if (!at) return '';
  return at.kind === 'timestamp' ? ` @ ${(at.ms / 1000).toFixed(3)}` : ` @ ${at.kind}()`;
}

function formatExtended(vs: VectorSelector): string {
  return vs.anchored ? ' anchored' : vs.smoothed ? ' smoothed' : '';
}

function formatOffset(ms: number, expr: Expr | undefined): string {
  if (expr) return ` offset ${formatExpr(expr)}`;
  if (ms > 0) return ` offset ${formatDuration(ms)}`;
  if (ms < 0) return ` offset -${formatDuration(-ms)}`;
  return '';
}
