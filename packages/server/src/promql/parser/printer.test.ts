// formatExpr prints canonical PromQL as Prometheus' String() does (what /api/v1/format_query returns),
// and what it prints parses back to the same tree.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExpr } from './parse.js';
import { formatExpr } from './printer.js';

const CANONICAL: ReadonlyArray<readonly [string, string]> = [
  ['sum by(job)(rate(x[5m]))', 'sum by (job) (rate(x[5m]))'],
  ['sum(rate(x[5m])) without(a,b)', 'sum without (a, b) (rate(x[5m]))'],
  ['sum without () (x)', 'sum without () (x)'],
  ['sum by () (x)', 'sum(x)'],
  ['topk(5, x) by (a)', 'topk by (a) (5, x)'],
  ["count_values('v', x)", 'count_values("v", x)'],
  ['x{b="1",a="2"}', 'x{a="2",b="1"}'],
  ['{__name__=~"a.*", job!="x"}', '{__name__=~"a.*",job!="x"}'],
  ['{"metric.name"}', '{__name__="metric.name"}'],
  ['{"a.b"="c", d="e"}', '{"a.b"="c",d="e"}'],
  ['sum by ("a.b", c) (x)', 'sum by ("a.b", c) (x)'],
  ['x{a="new\\nline \\"q\\""}', 'x{a="new\\nline \\"q\\""}'],
  ['x[90s]', 'x[1m30s]'],
  ['x[1800]', 'x[30m]'],
  ['x[7d]', 'x[1w]'],
  ['x[90d]', 'x[90d]'],
  ['x[26m+4m]', 'x[26m + 4m]'],
  ['x[(9m30s+30s)*3]', 'x[(9m30s + 30s) * 3]'],
  ['x[-5m+35m]', 'x[-5m + 35m]'],
  ['x[step()+1ms]', 'x[step() + 1ms]'],
  ['x[min_of(step()+1,1h)]', 'x[min_of(step() + 1, 1h)]'],
  ['x offset 5m', 'x offset 5m'],
  ['x offset -1h', 'x offset -1h'],
  ['x offset 100', 'x offset 1m40s'],
  ['x offset (100 + 2)', 'x offset (100 + 2)'],
  ['x offset -step()', 'x offset -step()'],
  ['x @ 100', 'x @ 100.000'],
  ['x @ 1.5', 'x @ 1.500'],
  ['x @ start()', 'x @ start()'],
  ['x offset 1m @ end()', 'x @ end() offset 1m'],
  ['x[5m] offset 1m @ 10', 'x[5m] @ 10.000 offset 1m'],
  ['x[5m] anchored', 'x[5m] anchored'],
  ['metric @ 100 smoothed', 'metric @ 100.000 smoothed'],
  ['x[5m:]', 'x[5m:]'],
  ['x[5m:1m] offset 1m @ 10', 'x[5m:1m] @ 10.000 offset 1m'],
  ['rate(x[5m])[30m:1m]', 'rate(x[5m])[30m:1m]'],
  ['a+on(b)group_left(c)d', 'a + on (b) group_left (c) d'],
  ['a * on(b) group_right d', 'a * on (b) group_right () d'],
  ['a * ignoring() b', 'a * b'],
  ['a and on() b', 'a and on () b'],
  ['a > bool 1', 'a > bool 1'],
  ['a + fill(0) b', 'a + fill (0) b'],
  ['a + fill_left(1) fill_right(2) b', 'a + fill_left (1) fill_right (2) b'],
  ['a + fill_right(-23) b', 'a + fill_right (-23) b'],
  ['a + on(b) group_left fill(-23) c', 'a + on (b) group_left () fill (-23) c'],
  ['a == bool ignoring(x) fill_left(NaN) b', 'a == bool ignoring (x) fill_left (NaN) b'],
  ['h >/ 1.5', 'h >/ 1.5'],
  ['-x', '-x'],
  ['-(1)', '-(1)'],
  ['- 1', '-1'],
  ['+x', '+x'],
  ['1e21', '1000000000000000000000'],
  ['1e-7', '0.0000001'],
  ['0x1F', '31'],
  ['Inf', '+Inf'],
  ['-inf', '-Inf'],
  ['nan', 'NaN'],
  ['time() - 1h', 'time() - 1h'],
  ['-5m', '-5m'],
  ["'single'", '"single"'],
  ['`raw\\n`', '"raw\\\\n"'],
  ['((a))', '((a))'],
  ['label_join(up, "a", ",", "b", "c")', 'label_join(up, "a", ",", "b", "c")'],
];

test('expressions print in canonical form', () => {
  for (const [input, printed] of CANONICAL) assert.equal(formatExpr(parseExpr(input)), printed, input);
});

const ROUND_TRIP = [
  'sum by (job, instance) (rate(http_requests_total{job=~"api|web", code!~"5.."}[5m] offset 1h))',
  'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
  'topk(5, avg_over_time(x[1h:5m] @ start()))',
  'a / on (instance) group_left (node, pod) b or c unless d and e',
  '-(a ^ -b) % 2 atan2 c',
  'count({__name__=~".+"})',
  'label_replace(up, "dst", "$1", "src", "(.*)")',
  'max_over_time(deriv(rate(x[1m])[5m:1m])[10m:])',
  'x offset -min_of(step(), 1s) + count_over_time(x[step()])',
  'sum_over_time(metric1_total[29s+1s:((((8 - 2) / 3) * 7s) % 4) + 8000ms] offset (20*(((((8 - 2) / 3) * 7s) % 4) + 8000ms)))',
  'last_over_time({__name__="http_request_duration_seconds"} @ start()[1h:1m] offset 1m16s)',
  'info(metric, {__name__=~".+_info", data=~".+"})',
  'sort_by_label(x, "a", "b") > bool on () group_left () 0',
  'increase(metric[1m] anchored @ 30) + rate(other[5m] smoothed offset -1m)',
];

test('printing and parsing again gives the same text', () => {
  for (const q of ROUND_TRIP) {
    const once = formatExpr(parseExpr(q));
    assert.equal(formatExpr(parseExpr(once)), once, q);
  }
});
