// prettyExpr splits long expressions over lines like Prometheus' Prettify (format_query's output),
// and what it prints parses back to the same expression.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExpr } from './parse.js';
import { prettyExpr } from './prettier.js';
import { formatExpr } from './printer.js';

test('short expressions stay on one line in canonical form', () => {
  assert.equal(prettyExpr(parseExpr('sum(rate(x[5m])) by (job)')), 'sum by (job) (rate(x[5m]))');
});

test('long expressions are split with two-space indentation per level', () => {
  const q =
    'histogram_quantile(0.99, sum by (le, job, instance, handler) (rate(http_request_duration_seconds_bucket{job="api-server"}[5m])))';
  assert.equal(
    prettyExpr(parseExpr(q)),
    [
      'histogram_quantile(',
      '  0.99,',
      '  sum by (le, job, instance, handler) (',
      '    rate(http_request_duration_seconds_bucket{job="api-server"}[5m])',
      '  )',
      ')',
    ].join('\n'),
  );
  const binary =
    'sum by (job) (rate(http_requests_total{job="api-server", handler="/api/v1/query", code=~"5.."}[5m])) / on (job) sum by (job) (rate(http_requests_total[5m]))';
  assert.equal(
    prettyExpr(parseExpr(binary)),
    [
      '  sum by (job) (rate(http_requests_total{code=~"5..",handler="/api/v1/query",job="api-server"}[5m]))',
      '/ on (job)',
      '  sum by (job) (rate(http_requests_total[5m]))',
    ].join('\n'),
  );
});

test('a split binary operator keeps its fill modifiers on the operator line', () => {
  const side = 'sum by (job) (rate(http_requests_total{handler="/api/v1/query_range"}[5m]))';
  assert.equal(
    prettyExpr(parseExpr(`${side} + on (job) fill_left (0) fill_right (-1) ${side}`)),
    [`  ${side}`, '+ on (job) fill_left (0) fill_right (-1)', `  ${side}`].join('\n'),
  );
});

test('pretty output parses back to the same expression', () => {
  const long = 'rate(http_requests_total{job="api-server", handler="/api/v1/query", code=~"5.."}[5m])';
  for (const q of [
    `max_over_time(${long}[1h:1m]) > bool on (job) group_left (instance) 0.5 * avg_over_time(${long}[1h:1m])`,
    `topk(5, -(${long} + ${long}))`,
    `label_replace(${long}, "a", "$1", "b", "(.*)")`,
    `${long} / on (job) group_left fill_right (1) ${long}`,
  ]) {
    const e = parseExpr(q);
    assert.equal(formatExpr(parseExpr(prettyExpr(e))), formatExpr(e), q);
  }
});
