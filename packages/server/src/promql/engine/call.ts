/**
 * Function calls: dispatches on the function table's kind. Range functions walk each series'
 * window per step with two cursors; instant functions run step by step over vectors.
 */

import type { Labels } from '../../model/labels.js';
import type { Call, Expr, MatrixSelector, SubqueryExpr } from '../parser/ast.js';
import { absentLabels, unwrap } from './absent.js';
import { execError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { FUNCTIONS } from './functions/index.js';
import type { FnContext, FunctionDef, RangeFn, Window } from './functions/types.js';
import { evalInfo } from './info.js';
import { mergeSameLabels } from './merge.js';
import type { EvalSeries, EvalValue, RangeSeries } from './types.js';

export async function evalCall(ev: Evaluator, call: Call): Promise<EvalValue> {
  if (call.func === 'absent_over_time') return absentOverTime(ev, call);
  if (call.func === 'info') return evalInfo(ev, call);
  const def = FUNCTIONS.get(call.func);
  if (def === undefined) throw execError(`unknown function with name "${call.func}"`);
  const query = { start: ev.ctx.queryStart, end: ev.ctx.queryEnd, step: ev.ctx.queryStep };
  const ctx = { call, annotations: ev.ctx.annotations, ts: ev.start, isRange: ev.isRange, query };
  if (call.func === 'timestamp') {
    const arg = unwrap(call.args[0]!);
    // timestamp(selector) is the sample's own time, not the step's (engine.go special case).
    if (arg.kind === 'VectorSelector')
      return { type: 'vector', series: await ev.evalVectorSelector(arg, true) };
  }
  const impl = def.impl;
  switch (impl.kind) {
    case 'range':
      return { type: 'vector', series: await evalRangeFunction(ev, call, def, impl.matrixArg, impl.fn, ctx) };
    case 'vector': {
      const inputs = await evalAll(ev, call.args);
      const map = impl.map;
      const only = inputs[0];
      if (map !== undefined && inputs.length === 1 && only?.type === 'vector') {
        // Element-wise: map each series' values in place of per-step vectors.
        const series = only.series.map((s) => ({
          metric: s.metric,
          dropName: def.dropsName || s.dropName,
          ts: s.ts,
          vs: s.vs.map(map),
        }));
        return { type: 'vector', series };
      }
      const relabel = impl.relabel;
      const rest = inputs.slice(1);
      if (relabel !== undefined && only?.type === 'vector' && rest.every((a) => a.type === 'string')) {
        // Label rewrites depend only on each series' labels: rewrite once per series.
        const r = relabel(rest.map((a) => (a as { value: string }).value));
        const series = only.series.map((s) => {
          const out = r(s.metric, s.dropName);
          return { metric: out.metric, dropName: out.dropName, ts: s.ts, vs: s.vs };
        });
        return { type: 'vector', series: mergeSameLabels(series) };
      }
      const series = await ev.rangeEval(inputs, (args, i, out) => {
        ctx.ts = ev.steps[i]!;
        impl.fn(args, ctx, out);
      });
      return { type: 'vector', series };
    }
    case 'scalar': {
      const inputs = await evalAll(ev, call.args);
      const values = new Float64Array(ev.steps.length);
      await ev.rangeEval(inputs, (args, i) => {
        ctx.ts = ev.steps[i]!;
        values[i] = impl.fn(args, ctx);
      });
      return { type: 'scalar', values };
    }
    default:
      throw execError(`unknown function kind for ${call.func}`);
  }
}

/** The arguments' values, evaluated in order. */
async function evalAll(ev: Evaluator, args: readonly Expr[]): Promise<EvalValue[]> {
  const out: EvalValue[] = [];
  for (const a of args) out.push(await ev.eval(a));
  return out;
}

function rangeArg(call: Call, index: number): MatrixSelector | SubqueryExpr {
  const arg = unwrap(call.args[index]!);
  if (arg.kind !== 'MatrixSelector' && arg.kind !== 'SubqueryExpr') {
    throw execError(`expected type range vector in call to function "${call.func}", got ${arg.kind}`);
  }
  return arg;
}

/** Receives one output series as step indices and values, in buffers valid only during the call. */
export type SeriesSink = (
  metric: Labels,
  dropName: boolean,
  steps: Int32Array,
  vs: Float64Array,
  n: number,
) => void;

/**
 * Streams a range function's output series to `sink` (for an aggregation to fold) and returns
 * true; false, evaluating nothing, when `call` is not a plain range function.
 */
export async function streamRangeCall(ev: Evaluator, call: Call, sink: SeriesSink): Promise<boolean> {
  if (call.func === 'absent_over_time' || call.func === 'info' || call.func === 'timestamp') return false;
  const def = FUNCTIONS.get(call.func);
  if (def === undefined || def.impl.kind !== 'range') return false;
  const query = { start: ev.ctx.queryStart, end: ev.ctx.queryEnd, step: ev.ctx.queryStep };
  const ctx = { call, annotations: ev.ctx.annotations, ts: ev.start, isRange: ev.isRange, query };
  await evalRangeFunction(ev, call, def, def.impl.matrixArg, def.impl.fn, ctx, sink);
  return true;
}

async function evalRangeFunction(
  ev: Evaluator,
  call: Call,
  def: FunctionDef,
  matrixArg: number,
  fn: RangeFn,
  ctx: { ts: number } & FnContext,
  sink?: SeriesSink,
): Promise<EvalSeries[]> {
  const scalars: Float64Array[] = [];
  for (let i = 0; i < call.args.length; i++) {
    if (i !== matrixArg) scalars.push(await ev.evalScalar(call.args[i]!));
  }
  const input = await ev.rangeInput(rangeArg(call, matrixArg), call.func, true);
  const mode = input.mode ?? null;
  if (mode !== null) checkModifier(mode, call.func);
  const lookback = ev.ctx.lookback;
  const params = new Array<number>(scalars.length);
  const out: EvalSeries[] = [];
  const w = {
    metric: [] as Labels,
    ts: [] as ArrayLike<number>,
    vs: [] as ArrayLike<number>,
    lo: 0,
    hi: 0,
    start: 0,
    end: 0,
    range: input.range,
    stepTime: 0,
    mode,
    anchor: -1,
    after: -1,
    count: 0,
    memo: { resets: null as Float64Array | null, checked: false },
  };
  const steps = ev.steps;
  const nSteps = steps.length;
  // Output buffers of one series (one point per step at most), reused across its series: a
  // series is finished before the next one starts, even when its walk yields half-way.
  const idx = new Int32Array(nSteps);
  const vals = new Float64Array(nSteps);
  const ends = input.ends;
  const range = input.range;
  const nParams = scalars.length;
  const ctxq = ev.ctx;
  /** Where the walk of the current series stands (kept across a yield). */
  const cur = { i: 0, lo: 0, hi: 0, k: 0 };
  /**
   * Walks the current series (`w`) from step `cur.i`; false when it stopped because the query's
   * time slice is used up. The cursors live in locals while it runs (fast), in `cur` between runs.
   */
  const walk = (): boolean => {
    const sts = w.ts;
    const count = w.count;
    let { i, lo, hi, k } = cur;
    let done = true;
    for (; i < nSteps; i++) {
      ctxq.checkAlive();
      // A window of thousands of points makes one step expensive: look at the clock more often.
      if (((i & 63) === 63 || hi - lo > 4096) && ctxq.due()) {
        done = false;
        break;
      }
      const end = ends[i]!;
      const start = end - range;
      // Window ends ascend with the steps (or stay fixed under `@`), so cursors only move forward.
      while (hi < count && sts[hi]! <= end) hi++;
      while (lo < hi && sts[lo]! <= start) lo++;
      w.anchor = -1;
      w.after = -1;
      if (mode !== null) {
        if (lo > 0 && sts[lo - 1]! > start - lookback) w.anchor = lo - 1;
        if (mode === 'smoothed' && hi < count && sts[hi]! < end + lookback) w.after = hi;
      }
      if (hi === lo && !(mode === 'smoothed' && w.anchor >= 0 && w.after >= 0)) continue;
      ctxq.checkSamples(hi - lo);
      w.lo = lo;
      w.hi = hi;
      w.start = start;
      w.end = end;
      w.stepTime = steps[i]!;
      ctx.ts = steps[i]!;
      for (let p = 0; p < nParams; p++) params[p] = scalars[p]![i]!;
      const v = fn(w as Window, params, ctx);
      if (v === undefined) continue;
      idx[k] = i;
      vals[k++] = v;
    }
    cur.i = i;
    cur.lo = lo;
    cur.hi = hi;
    cur.k = k;
    return done;
  };
  const emit = (s: RangeSeries): void => {
    const k = cur.k;
    if (k === 0) return;
    const dropName = def.dropsName || s.dropName;
    if (sink !== undefined) {
      sink(s.metric, dropName, idx, vals, k);
      return;
    }
    const ts = new Array<number>(k);
    const vs = new Array<number>(k);
    for (let j = 0; j < k; j++) {
      ts[j] = steps[idx[j]!]!;
      vs[j] = vals[j]!;
    }
    out.push({ metric: s.metric, dropName, ts, vs });
  };
  /** Evaluates one series; hands back a promise only when its walk had to yield (long windows). */
  const each = (s: RangeSeries, count: number): Promise<void> | undefined => {
    w.metric = s.metric;
    w.ts = s.ts;
    w.vs = s.vs;
    w.count = count;
    w.memo.resets = null;
    w.memo.checked = false;
    cur.i = 0;
    cur.lo = 0;
    cur.hi = 0;
    cur.k = 0;
    if (walk()) {
      emit(s);
      return undefined;
    }
    return (async () => {
      do await ctxq.pause();
      while (!walk());
      emit(s);
    })();
  };
  if (input.stream !== undefined) await input.stream(each);
  else {
    for (const s of input.series) {
      if (ctxq.due()) await ctxq.pause();
      await each(s, s.ts.length);
    }
  }
  return out;
}

async function absentOverTime(ev: Evaluator, call: Call): Promise<EvalValue> {
  const input = await ev.rangeInput(rangeArg(call, 0), call.func);
  const ts: number[] = [];
  const vs: number[] = [];
  const cursors = input.series.map(() => ({ lo: 0, hi: 0 }));
  for (let i = 0; i < ev.steps.length; i++) {
    const end = input.ends[i]!;
    const start = end - input.range;
    let present = false;
    input.series.forEach((s, k) => {
      const c = cursors[k]!;
      while (c.hi < s.ts.length && s.ts[c.hi]! <= end) c.hi++;
      while (c.lo < c.hi && s.ts[c.lo]! <= start) c.lo++;
      if (c.hi > c.lo) present = true;
    });
    if (present) continue;
    ts.push(ev.steps[i]!);
    vs.push(1);
  }
  if (ts.length === 0) return { type: 'vector', series: [] };
  return { type: 'vector', series: [{ metric: absentLabels(call.args[0]!), dropName: false, ts, vs }] };
}

const ANCHORED_FUNCTIONS = ['changes', 'delta', 'increase', 'rate', 'resets'];
const SMOOTHED_FUNCTIONS = ['delta', 'increase', 'rate'];

/** `anchored`/`smoothed` only make sense for functions of a counter's or gauge's change. */
function checkModifier(mode: 'anchored' | 'smoothed', func: string): void {
  const allowed = mode === 'anchored' ? ANCHORED_FUNCTIONS : SMOOTHED_FUNCTIONS;
  if (!allowed.includes(func)) {
    throw execError(`${mode} modifier can only be used with: ${allowed.join(', ')} - not with ${func}`);
  }
}
