/**
 * Series-wise evaluation of the plain aggregations (sum, avg, count, min, max, group, stddev,
 * stdvar): each input series is assigned its group once and its points are folded into per-group
 * typed arrays indexed by step, so no per-step vectors or group keys are built. The arithmetic and
 * the order of accumulation (input series order) are exactly those of the step-wise path.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import type { AggregateExpr } from '../parser/ast.js';
import { kahanSumInc } from './functions/types.js';
import { groupingLabels } from './grouping.js';
import type { EvalSeries } from './types.js';

const SERIES_WISE = new Set<AggregateExpr['op']>([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
]);

/** True when `op` can be folded series by series. */
export function isSeriesWise(op: AggregateExpr['op']): boolean {
  return SERIES_WISE.has(op);
}

interface GroupState {
  metric: Labels;
  /** Set when any input series had its name marked for removal (engine.go `aggr.dropName`). */
  dropName: boolean;
  count: Float64Array;
  a: Float64Array; // sum / value / mean
  b: Float64Array; // kahan c / cMean
  c: Float64Array; // incremental mean / variance sum
  d: Float64Array; // incremental flag
}

function newState(metric: Labels, n: number, op: AggregateExpr['op']): GroupState {
  const wide = op === 'avg' || op === 'stddev' || op === 'stdvar';
  const empty = new Float64Array(0);
  return {
    metric,
    dropName: false,
    count: new Float64Array(n),
    a: new Float64Array(n),
    b: op === 'count' || op === 'group' ? empty : new Float64Array(n),
    c: wide ? new Float64Array(n) : empty,
    d: op === 'avg' ? new Float64Array(n) : empty,
  };
}

/**
 * Accumulates series into per-group arrays indexed by step. `add` takes a series' points as step
 * indices, so streamed producers (selectors) can feed it from reused buffers without building
 * per-series arrays; `finish` builds one output series per group.
 */
export class SeriesFolder {
  private readonly names: ReadonlySet<string>;
  private readonly groups = new Map<string, GroupState>();
  constructor(
    private readonly e: AggregateExpr,
    private readonly steps: readonly number[],
  ) {
    this.names = new Set(e.grouping);
  }

  add(metric: Labels, dropName: boolean, idx: ArrayLike<number>, vs: ArrayLike<number>, n: number): void {
    const op = this.e.op;
    const gm = groupingLabels(metric, this.e, this.names);
    const key = labelsKey(gm);
    let g = this.groups.get(key);
    if (g === undefined) {
      g = newState(gm, this.steps.length, op);
      this.groups.set(key, g);
    }
    if (dropName) g.dropName = true;
    const count = g.count;
    // count and group only need the per-step count; sum is the hot case, inlined (same
    // arithmetic as kahanSumInc) so no tuple is written per point.
    if (op === 'count' || op === 'group') {
      for (let k = 0; k < n; k++) count[idx[k]!]!++;
      return;
    }
    if (op === 'sum') {
      const a = g.a;
      const b = g.b;
      for (let k = 0; k < n; k++) {
        const i = idx[k]!;
        const inc = vs[k]!;
        if (++count[i]! === 1) {
          // The group's first value is taken as is (engine.go), so -0 and NaN stay exact.
          a[i] = inc;
          b[i] = 0;
          continue;
        }
        const sum = a[i]!;
        const t = sum + inc;
        if (!Number.isFinite(t) && !Number.isNaN(t)) b[i] = 0;
        else if (Math.abs(sum) >= Math.abs(inc)) b[i]! += sum - t + inc;
        else b[i]! += inc - t + sum;
        a[i] = t;
      }
      return;
    }
    for (let k = 0; k < n; k++) fold(op, g, idx[k]!, vs[k]!);
  }

  finish(): EvalSeries[] {
    const op = this.e.op;
    const n = this.steps.length;
    const out: EvalSeries[] = [];
    for (const g of this.groups.values()) {
      const ts: number[] = [];
      const vs: number[] = [];
      for (let i = 0; i < n; i++) {
        const cnt = g.count[i]!;
        if (cnt === 0) continue;
        ts.push(this.steps[i]!);
        vs.push(result(op, g, i, cnt));
      }
      out.push({ metric: g.metric, dropName: g.dropName, ts, vs });
    }
    return out;
  }
}

let scratchIdx = new Int32Array(256);

/** Folds `input` (series over `steps`) into one output series per group. */
export function aggregateSeriesWise(
  e: AggregateExpr,
  input: readonly EvalSeries[],
  steps: readonly number[],
): EvalSeries[] {
  const folder = new SeriesFolder(e, steps);
  const start = steps[0] ?? 0;
  const interval = steps.length > 1 ? steps[1]! - start : 1;
  for (const s of input) {
    const n = s.ts.length;
    if (scratchIdx.length < n) scratchIdx = new Int32Array(Math.max(n, scratchIdx.length * 2));
    for (let k = 0; k < n; k++) scratchIdx[k] = (s.ts[k]! - start) / interval;
    folder.add(s.metric, s.dropName, scratchIdx, s.vs, n);
  }
  return folder.finish();
}

function fold(op: AggregateExpr['op'], g: GroupState, i: number, v: number): void {
  const count = ++g.count[i]!;
  if (count === 1) {
    // engine.go starts a group with its first value: the sum or mean itself, and for
    // stddev/stdvar a running mean of that value and a variance sum of 0 (NaN for ±Inf or NaN).
    g.a[i] = v;
    if (op === 'stddev' || op === 'stdvar') g.c[i] = Number.isFinite(v) ? 0 : Number.NaN;
    return;
  }
  switch (op) {
    case 'sum': {
      const [s, c] = kahanSumInc(v, g.a[i]!, g.b[i]!);
      g.a[i] = s;
      g.b[i] = c;
      return;
    }
    case 'avg': {
      // Kahan sum while it stays finite, then an incremental mean (engine.go, AVG).
      if (g.d[i] === 0) {
        const [ns, nc] = kahanSumInc(v, g.a[i]!, g.b[i]!);
        if (Number.isFinite(ns) || Number.isNaN(ns)) {
          g.a[i] = ns;
          g.b[i] = nc;
          return;
        }
        g.d[i] = 1;
        g.c[i] = g.a[i]! / (count - 1);
        g.b[i] = g.b[i]! / (count - 1);
      }
      const q = (count - 1) / count;
      const [m, c] = kahanSumInc(v / count, q * g.c[i]!, q * g.b[i]!);
      g.c[i] = m;
      g.b[i] = c;
      return;
    }
    case 'min':
      if (v < g.a[i]! || Number.isNaN(g.a[i]!)) g.a[i] = v;
      return;
    case 'max':
      if (v > g.a[i]! || Number.isNaN(g.a[i]!)) g.a[i] = v;
      return;
    case 'stddev':
    case 'stdvar': {
      // Welford's online variance, uncompensated, as engine.go computes it.
      const delta = v - g.a[i]!;
      g.a[i]! += delta / count;
      g.c[i]! += delta * (v - g.a[i]!);
      return;
    }
    default:
      return;
  }
}

function result(op: AggregateExpr['op'], g: GroupState, i: number, count: number): number {
  switch (op) {
    case 'sum':
      return g.a[i]! + g.b[i]!;
    case 'avg':
      return g.d[i] === 1 ? g.c[i]! + g.b[i]! : g.a[i]! / count + g.b[i]! / count;
    case 'count':
      return count;
    case 'group':
      return 1;
    case 'min':
    case 'max':
      return g.a[i]!;
    case 'stddev':
      return Math.sqrt(g.c[i]! / count);
    case 'stdvar':
      return g.c[i]! / count;
    default:
      return Number.NaN;
  }
}
