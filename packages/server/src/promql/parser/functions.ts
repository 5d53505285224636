/**
 * Every PromQL function of Prometheus 3.x with its signature, as the parser type-checks calls.
 * The engine keeps its implementations in its own tables keyed by the same names.
 */

import type { ValueType } from './ast.js';

export interface FunctionSignature {
  /** Types of the arguments; with `variadic`, the last one repeats. */
  readonly argTypes: readonly ValueType[];
  /**
   * 0: exactly `argTypes.length` arguments. n > 0: the last argument is optional and up to n of
   * it may be given (at most argTypes.length - 1 + n arguments). -1: unbounded.
   */
  readonly variadic?: number;
  readonly returnType: ValueType;
  /** Behind `--enable-feature=promql-experimental-functions` upstream; always enabled here. */
  readonly experimental?: boolean;
}

/** Function name → signature. Names are case-sensitive, as in Prometheus. */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  abs: { argTypes: ['vector'], returnType: 'vector' },
  absent: { argTypes: ['vector'], returnType: 'vector' },
  absent_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  acos: { argTypes: ['vector'], returnType: 'vector' },
  acosh: { argTypes: ['vector'], returnType: 'vector' },
  asin: { argTypes: ['vector'], returnType: 'vector' },
  asinh: { argTypes: ['vector'], returnType: 'vector' },
  atan: { argTypes: ['vector'], returnType: 'vector' },
  atanh: { argTypes: ['vector'], returnType: 'vector' },
  avg_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  ceil: { argTypes: ['vector'], returnType: 'vector' },
  changes: { argTypes: ['matrix'], returnType: 'vector' },
  clamp: { argTypes: ['vector', 'scalar', 'scalar'], returnType: 'vector' },
  clamp_max: { argTypes: ['vector', 'scalar'], returnType: 'vector' },
  clamp_min: { argTypes: ['vector', 'scalar'], returnType: 'vector' },
  cos: { argTypes: ['vector'], returnType: 'vector' },
  cosh: { argTypes: ['vector'], returnType: 'vector' },
  count_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  day_of_month: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  day_of_week: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  day_of_year: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  days_in_month: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  deg: { argTypes: ['vector'], returnType: 'vector' },
  delta: { argTypes: ['matrix'], returnType: 'vector' },
  deriv: { argTypes: ['matrix'], returnType: 'vector' },
  double_exponential_smoothing: {
    argTypes: ['matrix', 'scalar', 'scalar'],
    returnType: 'vector',
    experimental: true,
  },
  end: { argTypes: [], returnType: 'scalar', experimental: true },
  exp: { argTypes: ['vector'], returnType: 'vector' },
  first_over_time: { argTypes: ['matrix'], returnType: 'vector', experimental: true },
  floor: { argTypes: ['vector'], returnType: 'vector' },
  histogram_avg: { argTypes: ['vector'], returnType: 'vector' },
  histogram_count: { argTypes: ['vector'], returnType: 'vector' },
  histogram_fraction: { argTypes: ['scalar', 'scalar', 'vector'], returnType: 'vector' },
  histogram_quantile: { argTypes: ['scalar', 'vector'], returnType: 'vector' },
  histogram_quantiles: {
    argTypes: ['vector', 'string', 'scalar', 'scalar'],
    variadic: 9,
    returnType: 'vector',
    experimental: true,
  },
  histogram_stddev: { argTypes: ['vector'], returnType: 'vector' },
  histogram_stdvar: { argTypes: ['vector'], returnType: 'vector' },
  histogram_sum: { argTypes: ['vector'], returnType: 'vector' },
  hour: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  idelta: { argTypes: ['matrix'], returnType: 'vector' },
  increase: { argTypes: ['matrix'], returnType: 'vector' },
  info: { argTypes: ['vector', 'vector'], variadic: 1, returnType: 'vector', experimental: true },
  irate: { argTypes: ['matrix'], returnType: 'vector' },
  label_join: { argTypes: ['vector', 'string', 'string', 'string'], variadic: -1, returnType: 'vector' },
  label_replace: { argTypes: ['vector', 'string', 'string', 'string', 'string'], returnType: 'vector' },
  last_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  ln: { argTypes: ['vector'], returnType: 'vector' },
  log10: { argTypes: ['vector'], returnType: 'vector' },
  log2: { argTypes: ['vector'], returnType: 'vector' },
  mad_over_time: { argTypes: ['matrix'], returnType: 'vector', experimental: true },
  max_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  min_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  minute: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  month: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  pi: { argTypes: [], returnType: 'scalar' },
  predict_linear: { argTypes: ['matrix', 'scalar'], returnType: 'vector' },
  present_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  quantile_over_time: { argTypes: ['scalar', 'matrix'], returnType: 'vector' },
  rad: { argTypes: ['vector'], returnType: 'vector' },
  range: { argTypes: [], returnType: 'scalar', experimental: true },
  rate: { argTypes: ['matrix'], returnType: 'vector' },
  resets: { argTypes: ['matrix'], returnType: 'vector' },
  round: { argTypes: ['vector', 'scalar'], variadic: 1, returnType: 'vector' },
  scalar: { argTypes: ['vector'], returnType: 'scalar' },
  sgn: { argTypes: ['vector'], returnType: 'vector' },
  sin: { argTypes: ['vector'], returnType: 'vector' },
  sinh: { argTypes: ['vector'], returnType: 'vector' },
  sort: { argTypes: ['vector'], returnType: 'vector' },
  sort_by_label: { argTypes: ['vector', 'string'], variadic: -1, returnType: 'vector', experimental: true },
  sort_by_label_desc: {
    argTypes: ['vector', 'string'],
    variadic: -1,
    returnType: 'vector',
    experimental: true,
  },
  sort_desc: { argTypes: ['vector'], returnType: 'vector' },
  sqrt: { argTypes: ['vector'], returnType: 'vector' },
  start: { argTypes: [], returnType: 'scalar', experimental: true },
  start_timestamp: { argTypes: ['vector'], returnType: 'vector', experimental: true },
  stddev_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  stdvar_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  step: { argTypes: [], returnType: 'scalar', experimental: true },
  sum_over_time: { argTypes: ['matrix'], returnType: 'vector' },
  tan: { argTypes: ['vector'], returnType: 'vector' },
  tanh: { argTypes: ['vector'], returnType: 'vector' },
  time: { argTypes: [], returnType: 'scalar' },
  timestamp: { argTypes: ['vector'], returnType: 'vector' },
  ts_of_first_over_time: { argTypes: ['matrix'], returnType: 'vector', experimental: true },
  ts_of_last_over_time: { argTypes: ['matrix'], returnType: 'vector', experimental: true },
  ts_of_max_over_time: { argTypes: ['matrix'], returnType: 'vector', experimental: true },
  ts_of_min_over_time: { argTypes: ['matrix'], returnType: 'vector', experimental: true },
  vector: { argTypes: ['scalar'], returnType: 'vector' },
  year: { argTypes: ['vector'], variadic: 1, returnType: 'vector' },
  max_of: { argTypes: ['scalar', 'scalar'], returnType: 'scalar', experimental: true },
  min_of: { argTypes: ['scalar', 'scalar'], returnType: 'scalar', experimental: true },
  integral: { argTypes: ['matrix', 'scalar'], variadic: 1, returnType: 'vector', experimental: true },
};

/** The signature of a function, or undefined for an unknown name. */
export function getFunction(name: string): FunctionSignature | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}
