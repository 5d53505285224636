/**
 * The `*_over_time` family and other aggregations of one series over a range window
 * (functions.go `aggrOverTime` users), plus double_exponential_smoothing.
 */

import { execError } from '../errors.js';
import { formatFloat, quantile } from '../quantile.js';
import type { FunctionDef, RangeFn, Window } from './types.js';
import { kahanSumInc } from './types.js';

function range(name: string, fn: RangeFn, dropsName = true, matrixArg = 0): FunctionDef {
  return { name, dropsName, impl: { kind: 'range', matrixArg, fn } };
}

function values(w: Window): Float64Array {
  return Float64Array.from({ length: w.hi - w.lo }, (_, i) => w.vs[w.lo + i]!);
}

function avg(w: Window): number {
  // Kahan sum while finite; switch to an incremental mean on overflow (funcAvgOverTime).
  let sum = w.vs[w.lo]!;
  let c = 0;
  let mean = 0;
  let incremental = false;
  let count = 1;
  for (let i = w.lo + 1; i < w.hi; i++) {
    const f = w.vs[i]!;
    count++;
    if (!incremental) {
      const [ns, nc] = kahanSumInc(f, sum, c);
      if (Number.isFinite(ns) || Number.isNaN(ns)) {
        sum = ns;
        c = nc;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanSumInc(f / count, q * mean, q * c);
  }
  return incremental ? mean + c : sum / count + c / count;
}

function variance(w: Window): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const f = w.vs[i]!;
    count++;
    const delta = f - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (f - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

/** Index of the extreme sample; ties keep the later one, NaN loses to any number. */
function extremeIndex(w: Window, better: (a: number, b: number) => boolean): number {
  let best = w.lo;
  for (let i = w.lo + 1; i < w.hi; i++) {
    const v = w.vs[i]!;
    const b = w.vs[best]!;
    if (Number.isNaN(b) || better(v, b) || v === b) best = i;
  }
  return best;
}

function doubleExponentialSmoothing(w: Window, p: readonly number[]): number | undefined {
  const sf = p[0]!;
  const tf = p[1]!;
  if (!(sf > 0 && sf < 1))
    throw execError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (!(tf > 0 && tf < 1))
    throw execError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  const n = w.hi - w.lo;
  if (n < 2) return undefined;
  let s0 = 0;
  let s1 = w.vs[w.lo]!;
  let b = w.vs[w.lo + 1]! - w.vs[w.lo]!;
  for (let i = 1; i < n; i++) {
    const x = sf * w.vs[w.lo + i]!;
    if (i > 1) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

export const OVER_TIME_FUNCTIONS: readonly FunctionDef[] = [
  range('avg_over_time', avg),
  range('sum_over_time', (w) => {
    let sum = 0;
    let c = 0;
    for (let i = w.lo; i < w.hi; i++) [sum, c] = kahanSumInc(w.vs[i]!, sum, c);
    return Number.isFinite(sum) ? sum + c : sum;
  }),
  range('count_over_time', (w) => w.hi - w.lo),
  range('min_over_time', (w) => {
    let m = w.vs[w.lo]!;
    for (let i = w.lo + 1; i < w.hi; i++) if (w.vs[i]! < m || Number.isNaN(m)) m = w.vs[i]!;
    return m;
  }),
  range('max_over_time', (w) => {
    let m = w.vs[w.lo]!;
    for (let i = w.lo + 1; i < w.hi; i++) if (w.vs[i]! > m || Number.isNaN(m)) m = w.vs[i]!;
    return m;
  }),
  range('last_over_time', (w) => w.vs[w.hi - 1]!, false),
  range('first_over_time', (w) => w.vs[w.lo]!, false),
  range('ts_of_last_over_time', (w) => w.ts[w.hi - 1]! / 1000),
  range('ts_of_first_over_time', (w) => w.ts[w.lo]! / 1000),
  range('ts_of_max_over_time', (w) => w.ts[extremeIndex(w, (a, b) => a > b)]! / 1000),
  range('ts_of_min_over_time', (w) => w.ts[extremeIndex(w, (a, b) => a < b)]! / 1000),
  range('present_over_time', () => 1),
  range('stddev_over_time', (w) => Math.sqrt(variance(w))),
  range('stdvar_over_time', variance),
  range(
    'quantile_over_time',
    (w, p, ctx) => {
      const q = p[0]!;
      if (!(q >= 0 && q <= 1)) {
        ctx.annotations.warn(
          `quantile value should be between 0 and 1, got ${formatFloat(q)}`,
          ctx.call.args[0]!.pos,
        );
      }
      return quantile(q, values(w));
    },
    true,
    1,
  ),
  range('mad_over_time', (w) => {
    const vs = values(w);
    // A NaN sample makes the deviation NaN rather than being sorted away.
    if (vs.some(Number.isNaN)) return Number.NaN;
    const median = quantile(0.5, vs);
    const dev = vs.map((v) => Math.abs(v - median));
    return quantile(0.5, dev);
  }),
  range('double_exponential_smoothing', doubleExponentialSmoothing),
];
