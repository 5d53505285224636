/**
 * topk and bottomk over series: groups are assigned once per input series and each step ranks
 * indices into the step's values, so no per-step sample objects or group keys are built. The
 * choice and its order are those of the step-wise path: largest (topk) or smallest (bottomk)
 * first, NaN last, ties in input order.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import type { AggregateExpr } from '../parser/ast.js';
import type { QueryContext } from './context.js';
import { execError } from './errors.js';
import { groupingLabels } from './grouping.js';
import { formatFloat } from './quantile.js';
import type { EvalSeries } from './types.js';

/**
 * The input of topk/bottomk as one row of step values per series (with a presence flag), so a
 * streamed producer (a range function) can write its series without building point arrays.
 */
export class DenseSeries {
  readonly metrics: Labels[] = [];
  readonly dropNames: boolean[] = [];
  vals = new Float64Array(0);
  has = new Uint8Array(0);

  constructor(readonly nSteps: number) {}

  get length(): number {
    return this.metrics.length;
  }

  add(metric: Labels, dropName: boolean, idx: ArrayLike<number>, vs: ArrayLike<number>, n: number): void {
    const row = this.metrics.length * this.nSteps;
    if (row + this.nSteps > this.vals.length) {
      const size = Math.max(row + this.nSteps, this.vals.length * 2);
      const vals = new Float64Array(size);
      vals.set(this.vals);
      this.vals = vals;
      const has = new Uint8Array(size);
      has.set(this.has);
      this.has = has;
    }
    for (let k = 0; k < n; k++) {
      this.vals[row + idx[k]!] = vs[k]!;
      this.has[row + idx[k]!] = 1;
    }
    this.metrics.push(metric);
    this.dropNames.push(dropName);
  }

  static from(series: readonly EvalSeries[], steps: readonly number[]): DenseSeries {
    const d = new DenseSeries(steps.length);
    const start = steps[0] ?? 0;
    const interval = steps.length > 1 ? steps[1]! - start : 1;
    for (const s of series) {
      const idx = s.ts.map((t) => (t - start) / interval);
      d.add(s.metric, s.dropName, idx, s.vs, idx.length);
    }
    return d;
  }
}

export async function topkSeriesWise(
  e: AggregateExpr,
  input: DenseSeries,
  params: Float64Array,
  steps: readonly number[],
  ctx: QueryContext,
): Promise<EvalSeries[]> {
  if (!kParamsAllowResult(params)) return [];
  const names = new Set(e.grouping);
  const groupIds = new Map<string, number>();
  const nSeries = input.length;
  const groupOf = new Int32Array(nSeries);
  const groupSize: number[] = [];
  for (let k = 0; k < nSeries; k++) {
    const metric = groupingLabels(input.metrics[k]!, e, names);
    const key = labelsKey(metric);
    let g = groupIds.get(key);
    if (g === undefined) {
      g = groupIds.size;
      groupIds.set(key, g);
      groupSize.push(0);
    }
    groupOf[k] = g;
    groupSize[g]!++;
  }
  const desc = e.op === 'topk';
  const values = new Float64Array(nSeries);
  const present = new Uint8Array(nSeries);
  const nGroups = groupIds.size;
  const outs: (EvalSeries | undefined)[] = new Array(nSeries);
  const order: EvalSeries[] = [];
  // a before b in the ranking (ties: input order, handled by the stable insertion below).
  const before = (a: number, b: number): boolean => {
    const x = values[a]!;
    const y = values[b]!;
    if (Number.isNaN(x)) return false;
    if (Number.isNaN(y)) return true;
    return desc ? x > y : x < y;
  };
  // Per group, the best k so far at this step (indices into `input`), in ranking order; the
  // lists are reused across steps. Series are offered in input order, as the step-wise path.
  let best: Int32Array[] = [];
  const sizes = new Int32Array(nGroups);
  let cap = 0;
  for (let i = 0; i < steps.length; i++) {
    ctx.checkAlive();
    if (ctx.due()) await ctx.pause();
    const t = steps[i]!;
    const param = params[i]!;
    let held = 0;
    const vals = input.vals;
    const has = input.has;
    const stride = input.nSteps;
    for (let s = 0, p = i; s < nSeries; s++, p += stride) {
      present[s] = has[p]!;
      if (has[p] === 1) {
        values[s] = vals[p]!;
        held++;
      }
    }
    ctx.checkSamples(held);
    if (held === 0) continue;
    const k = Math.min(Math.trunc(param), nSeries);
    if (k < 1) continue;
    if (k > cap) {
      cap = k;
      // A group never keeps more than its own series: topk(50000, …) by (instance) must not
      // reserve 50 000 slots for each of 100 000 groups.
      best = groupSize.map((n) => new Int32Array(Math.min(k, n)));
    }
    sizes.fill(0);
    if (k > INSERTION_MAX_K) {
      // Insertion costs O(n·k): for a large k a stable sort of each group is O(n log n).
      rankBySort(k, nSeries, present, groupOf, best, sizes, before);
    } else {
      for (let idx = 0; idx < nSeries; idx++) {
        if (present[idx] === 0) continue;
        const g = groupOf[idx]!;
        const b = best[g]!;
        const len = sizes[g]!;
        if (len === k && !before(idx, b[k - 1]!)) continue;
        let pos = len === k ? k - 1 : len;
        while (pos > 0 && before(idx, b[pos - 1]!)) {
          b[pos] = b[pos - 1]!;
          pos--;
        }
        b[pos] = idx;
        if (len < k) sizes[g] = len + 1;
      }
    }
    for (let g = 0; g < nGroups; g++) {
      const b = best[g]!;
      for (let r = 0; r < sizes[g]!; r++) {
        const idx = b[r]!;
        let o = outs[idx];
        if (o === undefined) {
          o = { metric: input.metrics[idx]!, dropName: input.dropNames[idx]!, ts: [], vs: [] };
          outs[idx] = o;
          order.push(o);
        }
        o.ts.push(t);
        o.vs.push(values[idx]!);
      }
    }
  }
  return order;
}

/** Largest k ranked by insertion into the best-so-far list; larger ones sort each group. */
const INSERTION_MAX_K = 32;

/**
 * The first `k` of each group in ranking order, ties in input order (as the insertion path):
 * each group's present series, stably sorted by `before`, into `best` and `sizes`.
 */
function rankBySort(
  k: number,
  nSeries: number,
  present: Uint8Array,
  groupOf: Int32Array,
  best: Int32Array[],
  sizes: Int32Array,
  before: (a: number, b: number) => boolean,
): void {
  const members: number[][] = best.map(() => []);
  for (let idx = 0; idx < nSeries; idx++) if (present[idx] === 1) members[groupOf[idx]!]!.push(idx);
  const cmp = (a: number, b: number): number => (before(a, b) ? -1 : before(b, a) ? 1 : 0);
  for (let g = 0; g < members.length; g++) {
    const m = members[g]!.sort(cmp);
    const n = Math.min(k, m.length);
    const b = best[g]!;
    for (let r = 0; r < n; r++) b[r] = m[r]!;
    sizes[g] = n;
  }
}

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (`1e+19`). */
export function formatGoV(v: number): string {
  if (!Number.isFinite(v) || v === 0) return formatFloat(v);
  const [mant, ex] = v.toExponential().split('e') as [string, string];
  const e = Number(ex);
  if (e >= -4 && e < 6) return formatFloat(v);
  return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const MAX_INT64 = 2 ** 63;

/**
 * engine.go's checks of the k parameter of topk/bottomk/limitk, made once over all steps before
 * any data is looked at: false (an empty result) when k is below 1 at every step; else an error
 * for a NaN k or one outside int64. A fractional k is truncated at each step, not refused.
 */
export function kParamsAllowResult(params: ArrayLike<number>): boolean {
  let max = Number.NaN;
  let min = Number.NaN;
  let nan = false;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (Number.isNaN(p)) nan = true;
    else {
      if (!(p <= max)) max = p;
      if (!(p >= min)) min = p;
    }
  }
  if (max < 1) return false;
  if (nan) throw execError('Parameter value is NaN');
  if (min <= -MAX_INT64) throw execError(`Scalar value ${formatGoV(min)} underflows int64`);
  if (max >= MAX_INT64) throw execError(`Scalar value ${formatGoV(max)} overflows int64`);
  return true;
}

/** engine.go's checks of limit_ratio's parameter: false when it is 0 at every step. */
export function ratioParamsAllowResult(params: ArrayLike<number>): boolean {
  let zero = true;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (Number.isNaN(p)) throw execError('Ratio value is NaN');
    if (p !== 0) zero = false;
  }
  return !zero;
}
