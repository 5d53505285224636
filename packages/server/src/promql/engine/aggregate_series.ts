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
  count: Float64Array;
  a: Float64Array; // sum / value / mean
  b: Float64Array; // kahan c / cMean
  c: Float64Array; // incremental mean / aux
  d: Float64Array; // incremental flag / cAux
}

function newState(metric: Labels, n: number, op: AggregateExpr['op']): GroupState {
  const wide = op === 'avg' || op === 'stddev' || op === 'stdvar';
  const empty = new Float64Array(0);
  return {
    metric,
    count: new Float64Array(n),
    a: new Float64Array(n),
    b: op === 'count' || op === 'group' ? empty : new Float64Array(n),
    c: wide ? new Float64Array(n) : empty,
    d: wide ? new Float64Array(n) : empty,
  };
}

/** Folds `input` (series over `steps`) into one output series per group. */
export function aggregateSeriesWise(
  e: AggregateExpr,
  input: readonly EvalSeries[],
  steps: readonly number[],
): EvalSeries[] {
  const names = new Set(e.grouping);
  const groups = new Map<string, GroupState>();
  const n = steps.length;
  const start = steps[0] ?? 0;
  const interval = n > 1 ? steps[1]! - start : 1;
  for (const s of input) {
    const metric = groupingLabels(s.metric, s.dropName, e, names);
    const key = labelsKey(metric);
    let g = groups.get(key);
    if (g === undefined) {
      g = newState(metric, n, e.op);
      groups.set(key, g);
    }
    for (let k = 0; k < s.ts.length; k++) {
      const i = (s.ts[k]! - start) / interval;
      fold(e.op, g, i, s.vs[k]!);
    }
  }
  const out: EvalSeries[] = [];
  for (const g of groups.values()) {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < n; i++) {
      const cnt = g.count[i]!;
      if (cnt === 0) continue;
      ts.push(steps[i]!);
      vs.push(result(e.op, g, i, cnt));
    }
    out.push({ metric: g.metric, dropName: false, ts, vs });
  }
  return out;
}

function fold(op: AggregateExpr['op'], g: GroupState, i: number, v: number): void {
  const count = ++g.count[i]!;
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
      if (count === 1 || v < g.a[i]! || Number.isNaN(g.a[i]!)) g.a[i] = v;
      return;
    case 'max':
      if (count === 1 || v > g.a[i]! || Number.isNaN(g.a[i]!)) g.a[i] = v;
      return;
    case 'stddev':
    case 'stdvar': {
      const delta = v - (g.a[i]! + g.b[i]!);
      const [mean, cMean] = kahanSumInc(delta / count, g.a[i]!, g.b[i]!);
      g.a[i] = mean;
      g.b[i] = cMean;
      const [aux, cAux] = kahanSumInc(delta * (v - (mean + cMean)), g.c[i]!, g.d[i]!);
      g.c[i] = aux;
      g.d[i] = cAux;
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
      return Math.sqrt((g.c[i]! + g.d[i]!) / count);
    case 'stdvar':
      return (g.c[i]! + g.d[i]!) / count;
    default:
      return Number.NaN;
  }
}
