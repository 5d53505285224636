// The function table knows every PromQL function of Prometheus 3.x with its signature.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FUNCTIONS, getFunction } from './functions.js';
import { parseExpr } from './parse.js';

const EXPECTED =
  `abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp
  clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg delta deriv
  double_exponential_smoothing end exp first_over_time floor histogram_avg histogram_count histogram_fraction
  histogram_quantile histogram_quantiles histogram_stddev histogram_stdvar histogram_sum hour idelta increase info
  irate label_join label_replace last_over_time ln log10 log2 mad_over_time max_of max_over_time min_of min_over_time
  minute month pi predict_linear present_over_time quantile_over_time rad range rate resets round scalar sgn sin
  sinh sort sort_by_label sort_by_label_desc sort_desc sqrt start start_timestamp step stddev_over_time
  stdvar_over_time sum_over_time tan tanh time timestamp ts_of_first_over_time ts_of_last_over_time
  ts_of_max_over_time ts_of_min_over_time vector year`.split(/\s+/);

test('every Prometheus 3.x function is in the table', () => {
  for (const name of EXPECTED) assert.ok(getFunction(name), name);
  assert.equal(getFunction('holt_winters'), undefined, 'renamed to double_exponential_smoothing in 3.x');
  assert.equal(getFunction('toString'), undefined, 'no inherited object keys');
  assert.equal(getFunction('Rate'), undefined, 'names are case-sensitive');
});

test('signatures drive argument checking', () => {
  assert.deepEqual(FUNCTIONS.rate, { argTypes: ['matrix'], returnType: 'vector' });
  assert.deepEqual(FUNCTIONS.label_join?.variadic, -1);
  assert.deepEqual(FUNCTIONS.round?.variadic, 1);
  const valid = [
    'abs(x)',
    'round(x)',
    'round(x, 0.5)',
    'year()',
    'year(x)',
    'label_join(x, "d", ",")',
    'label_join(x, "d", ",", "a", "b", "c")',
    'sort_by_label(x, "a", "b")',
    'histogram_quantiles(x, "q", 0.5, 0.9, 0.99)',
    'clamp(x, 0, 1)',
    'quantile_over_time(0.5, x[5m])',
    'double_exponential_smoothing(x[5m], 0.5, 0.5)',
    'predict_linear(x[5m], 3600)',
    'absent_over_time(nonexistent{job="x"}[1m])',
    'scalar(x) + pi() + time()',
    'vector(1)',
    'info(x)',
    'start_timestamp(x)',
  ];
  for (const q of valid) assert.doesNotThrow(() => parseExpr(q), q);
});
