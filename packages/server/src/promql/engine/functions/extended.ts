/**
 * The experimental extended range selectors (Prometheus 3.x, `x[5m] anchored`, `x[5m] smoothed`).
 *
 * `anchored`: the window also takes the last sample at or before its start (within a lookback),
 * and the change is the plain difference from that anchor to the last sample — no
 * extrapolation. `smoothed`: the values at both window edges are interpolated linearly from the
 * samples around them (the one after the end included), so the change over adjacent windows
 * adds up exactly. Counter resets are corrected in both (a reset adds the value before it).
 */

import type { Window } from './types.js';

/** First and last sample index the modifier considers. */
function span(w: Window): [number, number] {
  const first = w.anchor >= 0 ? w.anchor : w.lo;
  const last = w.after >= 0 ? w.after : w.hi - 1;
  return [first, last];
}

/** Values from `first` to `last`, reset-corrected for counters. */
function corrected(w: Window, first: number, last: number, isCounter: boolean): Float64Array {
  const out = new Float64Array(last - first + 1);
  let offset = 0;
  for (let i = first; i <= last; i++) {
    const v = w.vs[i]!;
    if (isCounter && i > first && v < w.vs[i - 1]!) offset += w.vs[i - 1]!;
    out[i - first] = v + offset;
  }
  return out;
}

/** increase/rate/delta under `anchored` or `smoothed`. */
export function extendedChange(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const [first, last] = span(w);
  const c = corrected(w, first, last, isCounter);
  let result: number;
  if (w.mode === 'anchored') {
    if (w.hi === w.lo) return undefined;
    result = c[c.length - 1]! - c[0]!;
  } else {
    const at = (i: number): number => c[i - first]!;
    const lerp = (i: number, t: number): number =>
      at(i) + ((at(i + 1) - at(i)) * (t - w.ts[i]!)) / (w.ts[i + 1]! - w.ts[i]!);
    const left = w.ts[first]! >= w.start ? at(first) : lerp(first, w.start);
    const right = w.ts[last]! <= w.end ? at(last) : lerp(last - 1, w.end);
    result = right - left;
  }
  return isRate ? result / (w.range / 1000) : result;
}

/** changes/resets under `anchored`: the anchor sample counts as the first of the window. */
export function extendedCount(w: Window, count: (prev: number, cur: number) => boolean): number | undefined {
  if (w.hi === w.lo) return undefined;
  const first = w.anchor >= 0 ? w.anchor : w.lo;
  let n = 0;
  for (let i = first + 1; i < w.hi; i++) if (count(w.vs[i - 1]!, w.vs[i]!)) n++;
  return n;
}
