/**
 * The counter and gauge change functions: rate, increase, delta (extrapolated), irate, idelta,
 * deriv, predict_linear, changes, resets (Prometheus' functions.go).
 */

import { metricName } from '../../../model/labels.js';
import { extendedChange, extendedCount } from './extended.js';
import type { FnContext, FunctionDef, Window } from './types.js';
import { kahanSumInc } from './types.js';

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

/**
 * The extrapolated change over the window (functions.go `extrapolatedRate`): the difference
 * between the first and last sample (plus counter resets), extrapolated to the window edges when
 * the series seems to cover them, by at most half a sample interval otherwise, and never below
 * a counter's zero point.
 */
function extrapolated(w: Window, ctx: FnContext, isCounter: boolean, isRate: boolean): number | undefined {
  if (isCounter) maybeNotCounter(w, ctx);
  if (w.mode !== null) return extendedChange(w, isCounter, isRate);
  const n = w.hi - w.lo;
  if (n < 2) return undefined;
  const first = w.vs[w.lo]!;
  const last = w.vs[w.hi - 1]!;
  let result = last - first;
  if (isCounter) {
    // A reset adds the value before it. The first sample is compared with 0 as upstream does,
    // which only matters for a negative first value (then it adds nothing).
    const corr = resetCorrections(w);
    if (corr.length !== 0) result += corr[w.hi - 1]! - corr[w.lo]!;
  }
  const firstT = w.ts[w.lo]!;
  const lastT = w.ts[w.hi - 1]!;
  let toStart = (firstT - w.start) / 1000;
  let toEnd = (w.end - lastT) / 1000;
  const sampled = (lastT - firstT) / 1000;
  const avgGap = sampled / (n - 1);
  const threshold = avgGap * 1.1;
  if (toStart >= threshold) toStart = avgGap / 2;
  if (isCounter) {
    let toZero = toStart;
    if (result > 0 && first >= 0) toZero = sampled * (first / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = avgGap / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= w.range / 1000;
  return result * factor;
}

/** Shared "no reset in this series" memo: windows then need no correction at all. */
const NO_RESETS = new Float64Array(0);
/** Reused correction buffer: a memo lives for one series, and one series is walked at a time. */
let scratch = new Float64Array(1024);

/**
 * Prefix sums of counter-reset corrections of the window's series (`corr[i]` = sum of `vs[j-1]`
 * over resets `vs[j] < vs[j-1]`, j <= i), computed once per series so each window costs O(1)
 * instead of O(window). Empty when the series has no reset (the common case), so no buffer is
 * written.
 */
function resetCorrections(w: Window): Float64Array {
  if (w.memo.resets !== null) return w.memo.resets;
  const vs = w.vs;
  const count = w.count;
  let first = 0;
  for (let i = 1; i < count; i++) {
    if (vs[i]! < vs[i - 1]!) {
      first = i;
      break;
    }
  }
  if (first === 0) {
    w.memo.resets = NO_RESETS;
    return NO_RESETS;
  }
  if (scratch.length < count) scratch = new Float64Array(Math.max(count, scratch.length * 2));
  const corr = scratch;
  corr.fill(0, 0, first);
  let acc = 0;
  for (let i = first; i < count; i++) {
    if (vs[i]! < vs[i - 1]!) acc += vs[i - 1]!;
    corr[i] = acc;
  }
  w.memo.resets = corr;
  return corr;
}

function maybeNotCounter(w: Window, ctx: FnContext): void {
  // The info is about the series, so check each series once per query rather than per step
  // (the memo flag spares the per-step set lookup).
  if (w.memo.checked) return;
  w.memo.checked = true;
  if (!ctx.annotations.once(w.metric)) return;
  const name = metricName(w.metric);
  if (name === '' || COUNTER_SUFFIXES.some((s) => name.endsWith(s))) return;
  ctx.annotations.info(
    `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(name)}`,
    ctx.call.args[0]!.pos,
  );
}

/** irate/idelta: from the last two samples only. */
function instant(w: Window, isRate: boolean): number | undefined {
  if (w.hi - w.lo < 2) return undefined;
  const last = w.vs[w.hi - 1]!;
  const prev = w.vs[w.hi - 2]!;
  const v = isRate && last < prev ? last : last - prev;
  const dt = w.ts[w.hi - 1]! - w.ts[w.hi - 2]!;
  if (dt === 0) return undefined;
  return isRate ? v / (dt / 1000) : v;
}

/** Least-squares slope and intercept at `interceptTime` (functions.go `linearRegression`). */
export function linearRegression(w: Window, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let cX = 0;
  let sumY = 0;
  let cY = 0;
  let sumXY = 0;
  let cXY = 0;
  let sumX2 = 0;
  let cX2 = 0;
  const initY = w.vs[w.lo]!;
  let constY = true;
  for (let i = w.lo; i < w.hi; i++) {
    const y = w.vs[i]!;
    if (constY && i > w.lo && y !== initY) constY = false;
    n++;
    const x = (w.ts[i]! - interceptTime) / 1000;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return [Number.NaN, Number.NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function changed(a: number, b: number): boolean {
  return a !== b && !(Number.isNaN(a) && Number.isNaN(b));
}

export const RATE_FUNCTIONS: readonly FunctionDef[] = [
  {
    name: 'rate',
    dropsName: true,
    impl: { kind: 'range', matrixArg: 0, fn: (w, _p, c) => extrapolated(w, c, true, true) },
  },
  {
    name: 'increase',
    dropsName: true,
    impl: { kind: 'range', matrixArg: 0, fn: (w, _p, c) => extrapolated(w, c, true, false) },
  },
  {
    name: 'delta',
    dropsName: true,
    impl: { kind: 'range', matrixArg: 0, fn: (w, _p, c) => extrapolated(w, c, false, false) },
  },
  { name: 'irate', dropsName: true, impl: { kind: 'range', matrixArg: 0, fn: (w) => instant(w, true) } },
  { name: 'idelta', dropsName: true, impl: { kind: 'range', matrixArg: 0, fn: (w) => instant(w, false) } },
  {
    name: 'deriv',
    dropsName: true,
    impl: {
      kind: 'range',
      matrixArg: 0,
      // The intercept time is the first sample's, to keep the regression numerically stable.
      fn: (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.ts[w.lo]!)[0]),
    },
  },
  {
    name: 'predict_linear',
    dropsName: true,
    impl: {
      kind: 'range',
      matrixArg: 0,
      fn: (w, p) => {
        if (w.hi - w.lo < 2) return undefined;
        const [slope, intercept] = linearRegression(w, w.stepTime);
        return slope * p[0]! + intercept;
      },
    },
  },
  {
    name: 'changes',
    dropsName: true,
    impl: {
      kind: 'range',
      matrixArg: 0,
      fn: (w) => {
        if (w.mode !== null) return extendedCount(w, changed);
        let n = 0;
        for (let i = w.lo + 1; i < w.hi; i++) {
          const a = w.vs[i - 1]!;
          const b = w.vs[i]!;
          if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) n++;
        }
        return n;
      },
    },
  },
  {
    name: 'resets',
    dropsName: true,
    impl: {
      kind: 'range',
      matrixArg: 0,
      fn: (w) => {
        if (w.mode !== null) return extendedCount(w, (a, b) => b < a);
        let n = 0;
        for (let i = w.lo + 1; i < w.hi; i++) if (w.vs[i]! < w.vs[i - 1]!) n++;
        return n;
      },
    },
  },
];
