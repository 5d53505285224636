/**
 * The PromQL parser's public API. Syntax, error texts and positions follow Prometheus 3.x with its
 * experimental features on (experimental functions, duration expressions, `anchored`/`smoothed`,
 * `fill*` modifiers), as the upstream conformance tests run it.
 */

import type { Matcher } from '../../model/matcher.js';
import type { Expr } from './ast.js';
import { checkExpr } from './check.js';
import { lex } from './lexer.js';
import { parseExpression } from './parser.js';
import { parseVectorSelector } from './selector.js';
import { TokenStream } from './stream.js';

/**
 * Parses and type-checks a PromQL expression.
 *
 * The result is the plain syntax tree: `@` modifiers stay on their selectors/subqueries (with
 * `start()`/`end()` unresolved) and nothing is wrapped in `StepInvariantExpr` — the engine handles
 * `@` directly. Durations are resolved to ms where they are constant; one that calls `step()` or
 * `range()` keeps its expression (`rangeExpr`, `stepExpr`, `offsetExpr`) for `evalDurationExpr`.
 * A duration literal in number position (`time() - 1h`) is a NumberLiteral in seconds.
 *
 * @throws ParseError (`code = 'bad_data'`) with Prometheus' message, e.g.
 *   `1:5: parse error: unexpected "}" in label matching, expected string`.
 */
export function parseExpr(input: string): Expr {
  const ts = new TokenStream(input, lex(input));
  if (ts.peek().type === 'EOF') ts.fail('no expression found in input', { start: 0, end: 0 });
  try {
    const expr = parseExpression(ts);
    if (ts.peek().type !== 'EOF') ts.unexpected('', '');
    checkExpr(expr, input, (reason, pos) => ts.fail(reason, pos));
    return expr;
  } catch (err) {
    // Thousands of nesting levels exhaust the JS stack; that is the user's query, not our bug.
    if (err instanceof RangeError)
      ts.fail('expression is too deeply nested', { start: 0, end: input.length });
    throw err;
  }
}

/**
 * Parses a series selector as used by `match[]` API parameters: `up`, `{job="x"}`,
 * `http_requests_total{code=~"5.."}`. Returns its matchers, the metric name as a `__name__`
 * matcher. As upstream, an all-empty selector such as `{}` is not rejected here: the API decides.
 *
 * @throws ParseError for anything else (including modifiers or operators after the selector).
 */
export function parseMetricSelector(input: string): Matcher[] {
  const ts = new TokenStream(input, lex(input));
  const tok = ts.peek();
  let nameTok: typeof tok | undefined;
  if (tok.type !== '{') {
    if (
      tok.type === 'EOF' ||
      tok.type === 'STRING' ||
      tok.type === 'NUMBER' ||
      !/^[A-Za-z_:]/.test(tok.val)
    ) {
      ts.unexpected('', '');
    }
    nameTok = ts.next();
  }
  const vs = parseVectorSelector(ts, nameTok);
  if (ts.peek().type !== 'EOF') ts.unexpected('', '');
  return [...vs.matchers];
}
