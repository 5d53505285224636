/**
 * Aggregations (`sum`, `avg`, `count`, `min`, `max`, `group`, `stddev`, `stdvar`, `quantile`,
 * `topk`, `bottomk`, `count_values`, `limitk`, `limit_ratio`) with `by`/`without`, following
 * Prometheus' engine.go `aggregation`/`aggregationK`/`aggregationCountValues`.
 */

import { type Label, type Labels, labelsKey } from '../../model/labels.js';
import type { AggregateExpr } from '../parser/ast.js';
import { unwrap } from './absent.js';
import { DenseSeries, kParamsAllowResult, ratioParamsAllowResult, topkSeriesWise } from './aggregate_k.js';
import { ratioSampled } from './aggregate_ratio.js';
import { aggregateSeriesWise, isSeriesWise, SeriesFolder } from './aggregate_series.js';
import { type SeriesSink, streamRangeCall } from './call.js';
import { execError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { groupingLabels } from './grouping.js';
import { formatFloat, quantile } from './quantile.js';
import type { EvalSeries, EvalValue, Sample, Vector } from './types.js';

interface Group {
  metric: Labels;
  samples: Sample[];
  /** Any sample's name is marked for removal: so is the group's output. */
  dropName: boolean;
}

/** Group labels and key per input label set; series keep their label array across steps. */
type GroupCache = WeakMap<Labels, { metric: Labels; key: string }>;

function groupBy(vec: Vector, e: AggregateExpr, names: ReadonlySet<string>, cache: GroupCache): Group[] {
  const groups = new Map<string, Group>();
  for (const s of vec) {
    let c = cache.get(s.metric);
    if (c === undefined) {
      const m = groupingLabels(s.metric, e, names);
      c = { metric: m, key: labelsKey(m) };
      cache.set(s.metric, c);
    }
    const { metric, key } = c;
    let g = groups.get(key);
    if (g === undefined) {
      g = { metric, samples: [], dropName: false };
      groups.set(key, g);
    }
    if (s.dropName) g.dropName = true;
    g.samples.push(s);
  }
  return [...groups.values()];
}

export async function evalAggregate(ev: Evaluator, e: AggregateExpr): Promise<EvalValue> {
  const names = new Set(e.grouping);
  if (isSeriesWise(e.op) && e.param === null) {
    // A plain selector under sum/count/…: fold its series straight from the storage read.
    // So does a range function (sum(rate(x[5m]))): no per-series output arrays are built.
    const arg = unwrap(e.expr);
    const folder = new SeriesFolder(e, ev.steps);
    let streamed = false;
    if (arg.kind === 'VectorSelector') {
      streamed = await ev.streamVectorSelector(arg, (labels, idx, vs, n) => {
        folder.add(labels, false, idx, vs, n);
      });
    } else if (arg.kind === 'Call') {
      streamed = await streamRangeCall(ev, arg, (labels, dropName, idx, vs, n) => {
        folder.add(labels, dropName, idx, vs, n);
      });
    }
    if (streamed) return { type: 'vector', series: folder.finish() };
  }
  if ((e.op === 'topk' || e.op === 'bottomk') && e.param !== null) {
    // topk(k, rate(x[5m])): the range function's series are streamed into per-series step rows.
    const arg = unwrap(e.expr);
    const dense = new DenseSeries(ev.steps.length);
    const add: SeriesSink = (m, d, idx, vs, n) => dense.add(m, d, idx, vs, n);
    if (arg.kind === 'Call' && (await streamRangeCall(ev, arg, add))) {
      const p = await ev.eval(e.param);
      if (p.type !== 'scalar') throw execError(`expected scalar parameter in ${e.op}`);
      return { type: 'vector', series: await topkSeriesWise(e, dense, p.values, ev.steps, ev.ctx) };
    }
  }
  const inputs: EvalValue[] = [await ev.eval(e.expr)];
  if (inputs[0]!.type !== 'vector')
    throw execError(`expected type instant vector in aggregation expression, got ${inputs[0]!.type}`);
  if (e.param !== null) {
    const p = await ev.eval(e.param);
    if (e.op === 'count_values') {
      if (p.type !== 'string') throw execError('expected string parameter in count_values');
    } else if (p.type !== 'scalar') throw execError(`expected scalar parameter in ${e.op}`);
    inputs.push(p);
  }
  if (e.op === 'count_values') {
    const label = (inputs[1] as { value: string }).value;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw execError(`invalid label name "${label}"`);
  }
  if (isSeriesWise(e.op)) {
    const input = inputs[0] as { series: EvalSeries[] };
    return { type: 'vector', series: aggregateSeriesWise(e, input.series, ev.steps) };
  }
  const ann = ev.ctx.annotations;
  if (e.op === 'quantile' && e.param !== null) {
    for (const q of (inputs[1] as { values: Float64Array }).values) {
      if (Number.isNaN(q) || q < 0 || q > 1)
        ann.warn(`quantile value should be between 0 and 1, got ${formatFloat(q)}`, e.param.pos);
    }
  }
  if (e.op === 'limitk' && !kParamsAllowResult((inputs[1] as { values: Float64Array }).values)) {
    return { type: 'vector', series: [] };
  }
  if (e.op === 'limit_ratio' && e.param !== null) {
    if (!ratioParamsAllowResult((inputs[1] as { values: Float64Array }).values))
      return { type: 'vector', series: [] };
    for (const r of (inputs[1] as { values: Float64Array }).values) {
      if (r < -1 || r > 1)
        ann.warn(
          `ratio value should be between -1 and 1, got ${formatFloat(r)}, capping to ${r < 0 ? -1 : 1}`,
          e.param.pos,
        );
    }
  }
  if ((e.op === 'topk' || e.op === 'bottomk') && inputs[1]?.type === 'scalar') {
    const input = inputs[0] as { series: EvalSeries[] };
    return {
      type: 'vector',
      series: await topkSeriesWise(
        e,
        DenseSeries.from(input.series, ev.steps),
        inputs[1].values,
        ev.steps,
        ev.ctx,
      ),
    };
  }
  const cache: GroupCache = new WeakMap();
  const series = await ev.rangeEval(inputs, (args, _i, out) => {
    const vec = args[0] as Vector;
    const param = args[1];
    const groups = groupBy(vec, e, names, cache);
    switch (e.op) {
      case 'topk':
      case 'bottomk':
      case 'limitk':
      case 'limit_ratio':
        selectK(e, groups, param as number, out);
        return;
      case 'count_values': {
        const label = param as string;
        const counts = new Map<string, { metric: Labels; n: number }>();
        for (const g of groups) {
          for (const s of g.samples) {
            const value = formatFloat(s.f);
            const metric = withLabel(g.metric, label, value);
            const key = labelsKey(metric);
            const c = counts.get(key);
            if (c === undefined) counts.set(key, { metric, n: 1 });
            else c.n++;
          }
        }
        for (const c of counts.values()) out.push({ metric: c.metric, f: c.n, t: 0, dropName: false });
        return;
      }
      case 'quantile':
        for (const g of groups) {
          const q = quantile(
            param as number,
            Float64Array.from(g.samples, (x) => x.f),
          );
          out.push({ metric: g.metric, f: q, t: 0, dropName: g.dropName });
        }
        return;
      default:
        // sum, avg, count, min, max, group, stddev and stdvar were folded series-wise above.
        throw execError(`unexpected aggregation ${e.op}`);
    }
  });
  return { type: 'vector', series };
}

function withLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = ls.filter((l) => l.name !== name);
  out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Orders for topk (largest first) and bottomk (smallest first); NaN always loses. */
function byValue(desc: boolean): (a: Sample, b: Sample) => number {
  return (a, b) => {
    if (Number.isNaN(a.f)) return Number.isNaN(b.f) ? 0 : 1;
    if (Number.isNaN(b.f)) return -1;
    return desc ? b.f - a.f : a.f - b.f;
  };
}

/**
 * The first `k` samples in `cmp` order, ties kept in input order (as a stable sort would), by
 * insertion into a k-long sorted list: O(n·k) for the small k of topk/bottomk instead of a sort.
 */
function firstK(samples: readonly Sample[], k: number, cmp: (a: Sample, b: Sample) => number): Sample[] {
  if (k >= samples.length) return samples.slice().sort(cmp);
  const best: Sample[] = [];
  for (const s of samples) {
    if (best.length === k && cmp(s, best[k - 1]!) >= 0) continue;
    let i = best.length;
    while (i > 0 && cmp(s, best[i - 1]!) < 0) i--;
    best.splice(i, 0, s);
    if (best.length > k) best.pop();
  }
  return best;
}

function selectK(e: AggregateExpr, groups: readonly Group[], param: number, out: Vector): void {
  if (e.op === 'limit_ratio') {
    const ratio = Math.max(-1, Math.min(1, param));
    for (const g of groups) for (const s of g.samples) if (ratioSampled(ratio, s.metric)) out.push(s);
    return;
  }
  // The parameter was checked over all steps (kParamsAllowResult); a fraction is truncated.
  const k = Math.trunc(param);
  if (k < 1) return;
  for (const g of groups) {
    let chosen: Sample[];
    if (e.op === 'limitk') chosen = g.samples.slice(0, k);
    else chosen = firstK(g.samples, k, byValue(e.op === 'topk'));
    for (const s of chosen) out.push(s);
  }
}
