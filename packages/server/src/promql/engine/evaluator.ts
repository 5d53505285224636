/**
 * The evaluator: one instance per (sub)query time grid. Every expression is evaluated over all
 * steps at once and yields series over those steps, the way Prometheus' engine.go `rangeEval`
 * works; an instant query is a range evaluation with one step.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import {
  assertNever,
  type Expr,
  type MatrixSelector,
  type SubqueryExpr,
  type VectorSelector,
} from '../parser/ast.js';
import { evalDurationExpr } from '../parser/durationexpr.js';
import { evalAggregate } from './aggregate.js';
import { evalBinary } from './binary.js';
import { evalCall } from './call.js';
import type { QueryContext } from './context.js';
import { execError, PromQLError } from './errors.js';
import type { StepArg } from './functions/types.js';
import { type InstantSeriesFn, selectInstant, streamInstant } from './instant_selector.js';
import { effectiveTimes, loadSeries, streamSeries } from './selectors.js';
import type { EvalSeries, EvalValue, RangeSeries, Vector } from './types.js';

/** Series over a range argument (matrix selector or subquery) and each step's window end. */
export interface RangeInput {
  readonly series: RangeSeries[];
  /** Per step: the window is `(ends[i] - range, ends[i]]`. */
  readonly ends: number[];
  readonly range: number;
  /** The experimental `anchored`/`smoothed` modifier of a matrix selector, if any. */
  readonly mode?: 'anchored' | 'smoothed' | null;
  /**
   * With `streaming`, a matrix selector's series are not in `series` but passed one at a time,
   * in reused buffers valid only during the call (`count` valid points).
   */
  readonly stream?: (fn: (s: RangeSeries, count: number) => Promise<void> | undefined) => Promise<void>;
}

export class Evaluator {
  /** The step timestamps. */
  readonly steps: number[];

  constructor(
    readonly ctx: QueryContext,
    readonly start: number,
    readonly end: number,
    readonly interval: number,
  ) {
    const n = Math.floor((end - start) / interval) + 1;
    // A grid of more steps than the query may hold samples is refused before it is allocated
    // (`x[10d:1ms]` would need 864 million).
    ctx.checkSamples(n);
    this.steps = new Array<number>(n);
    for (let i = 0; i < n; i++) this.steps[i] = start + i * interval;
  }

  get isRange(): boolean {
    return this.steps.length > 1;
  }

  async eval(expr: Expr): Promise<EvalValue> {
    this.ctx.checkAlive();
    if (this.ctx.due()) await this.ctx.pause();
    switch (expr.kind) {
      case 'NumberLiteral':
        return { type: 'scalar', values: new Float64Array(this.steps.length).fill(expr.val) };
      case 'StringLiteral':
        return { type: 'string', value: expr.val };
      case 'ParenExpr':
      case 'StepInvariantExpr':
        // A step-invariant subtree already pins its own time with `@`, so evaluating it on the
        // grid gives the same values at every step.
        return this.eval(expr.expr);
      case 'UnaryExpr': {
        const v = await this.eval(expr.expr);
        if (expr.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', values: v.values.map((x) => -x) };
        if (v.type !== 'vector')
          throw execError(
            `unary expression only allowed on expressions of type scalar or instant vector, got "${v.type}"`,
          );
        return {
          type: 'vector',
          series: v.series.map((s) => ({
            metric: s.metric,
            dropName: true,
            ts: s.ts,
            vs: s.vs.map((x) => -x),
          })),
        };
      }
      case 'VectorSelector':
        return { type: 'vector', series: await this.evalVectorSelector(expr, false) };
      case 'MatrixSelector':
      case 'SubqueryExpr':
        return { type: 'matrix', series: await this.rawRange(expr) };
      case 'BinaryExpr':
        return evalBinary(this, expr);
      case 'AggregateExpr':
        return evalAggregate(this, expr);
      case 'Call':
        return evalCall(this, expr);
      default:
        return assertNever(expr);
    }
  }

  /**
   * An instant vector selector at every step: the newest sample in `(t - lookback, t]`, unless
   * that sample is a stale marker. With `sampleTimes` the value is the sample's own timestamp in
   * seconds (what `timestamp(selector)` returns).
   */
  async evalVectorSelector(sel: VectorSelector, sampleTimes: boolean): Promise<EvalSeries[]> {
    const ends = this.windowEnds(sel);
    const lookback = this.ctx.lookback;
    const [lo, hiEnd] = minMax(ends);
    // `smoothed` interpolates towards the next sample, so it reads up to a lookback past the end.
    const smoothed = sel.smoothed === true && !sampleTimes;
    const hi = smoothed ? hiEnd + lookback : hiEnd;
    const q = this.ctx.querier(lo - lookback + 1, hi);
    const hints = { start: lo - lookback + 1, end: hi, step: this.interval };
    if (!smoothed) {
      return selectInstant(q, sel, ends, this.steps, lookback, sampleTimes, hints, this.ctx, (total) => {
        this.ctx.checkAlive();
        // Every point of every step is held at once, as Prometheus counts a selector's samples.
        this.ctx.checkSamples(total);
      });
    }
    const loaded = await loadSeries(q, sel, lo - lookback, hi, true, hints, this.ctx);
    const out: EvalSeries[] = [];
    let total = 0;
    for (const s of loaded) {
      this.ctx.checkAlive();
      if (this.ctx.due()) await this.ctx.pause();
      const ts: number[] = [];
      const vs: number[] = [];
      let p = -1; // index of the newest sample <= the step's time
      for (let i = 0; i < ends.length; i++) {
        const te = ends[i]!;
        if (p >= 0 && s.ts[p]! > te) p = -1; // only with `@`-free negative steps; times ascend
        while (p + 1 < s.ts.length && s.ts[p + 1]! <= te) p++;
        if (p < 0 || s.ts[p]! <= te - lookback || s.stale[p] === 1) continue;
        ts.push(this.steps[i]!);
        if (sampleTimes) vs.push(s.ts[p]! / 1000);
        else if (smoothed) vs.push(interpolateAt(s.ts, s.vs, s.stale, p, te, lookback));
        else vs.push(s.vs[p]!);
      }
      total += ts.length;
      // Every point of every step is held at once, as Prometheus counts a selector's samples.
      this.ctx.checkSamples(total);
      if (ts.length > 0) out.push({ metric: s.metric, dropName: sampleTimes, ts, vs });
    }
    return out;
  }

  /**
   * Streams an instant selector's series to `fn` as (step index, value) points in reused
   * buffers, so a consumer that folds them (an aggregation) builds no per-series arrays.
   * False, without reading, for a `smoothed` selector (it needs the loaded path).
   */
  async streamVectorSelector(sel: VectorSelector, fn: InstantSeriesFn): Promise<boolean> {
    if (sel.smoothed === true) return false;
    const ends = this.windowEnds(sel);
    const lookback = this.ctx.lookback;
    const [lo, hi] = minMax(ends);
    const q = this.ctx.querier(lo - lookback + 1, hi);
    const hints = { start: lo - lookback + 1, end: hi, step: this.interval };
    const onSeries = (total: number): void => {
      this.ctx.checkAlive();
      // Every point of every step counts as held at once, as in evalVectorSelector.
      this.ctx.checkSamples(total);
    };
    await streamInstant(q, sel, ends, lookback, false, hints, onSeries, fn, this.ctx);
    return true;
  }

  /** Evaluation times of a selector or subquery at every step, after its `offset` and `@`. */
  private windowEnds(node: {
    readonly at: VectorSelector['at'];
    readonly offset: number;
    readonly offsetExpr?: Expr;
  }): number[] {
    return effectiveTimes(
      node.at,
      this.duration(node.offset, node.offsetExpr),
      this.steps,
      this.ctx.queryStart,
      this.ctx.queryEnd,
    );
  }

  /** Loads a range argument: a matrix selector's samples or a subquery's inner series. */
  async rangeInput(
    expr: MatrixSelector | SubqueryExpr,
    func?: string,
    streaming = false,
  ): Promise<RangeInput> {
    if (expr.kind === 'MatrixSelector') {
      const sel = expr.vector;
      const ends = this.windowEnds(sel);
      const range = this.duration(expr.range, expr.rangeExpr);
      const [lo0, hi0] = minMax(ends);
      // `anchored` and `smoothed` also read the sample before the window (up to a lookback
      // back), `smoothed` the one after it too.
      const mode = sel.smoothed ? 'smoothed' : sel.anchored ? 'anchored' : null;
      const lookback = this.ctx.lookback;
      const lo = mode !== null ? lo0 - lookback : lo0;
      const hi = mode === 'smoothed' ? hi0 + lookback : hi0;
      const q = this.ctx.querier(lo - range + 1, hi);
      const hints = {
        start: lo - range + 1,
        end: hi,
        step: this.interval,
        range,
        ...(func ? { func } : {}),
      };
      if (streaming) {
        const stream = async (
          fn: (s: RangeSeries, count: number) => Promise<void> | undefined,
        ): Promise<void> => {
          const s: RangeSeries = { metric: [], dropName: false, ts: [], vs: [] };
          await streamSeries(q, sel, lo - range, hi, hints, this.ctx, (labels, ts, vs, n) => {
            s.metric = labels;
            s.ts = ts;
            s.vs = vs;
            return fn(s, n);
          });
        };
        return { series: [], ends, range, mode, stream };
      }
      const loaded = await loadSeries(q, sel, lo - range, hi, false, hints, this.ctx);
      const series = loaded.map((s) => ({ metric: s.metric, dropName: false, ts: s.ts, vs: s.vs }));
      return { series, ends, range, mode };
    }
    const ends = this.windowEnds(expr);
    const range = this.duration(expr.range, expr.rangeExpr);
    const [lo, hi] = minMax(ends);
    const step = this.duration(expr.step, expr.stepExpr);
    const interval = step !== 0 ? step : this.ctx.noStepSubqueryInterval;
    // The inner grid is aligned to multiples of the step: its first point is the first multiple
    // strictly after the earliest window start (engine.go, SubqueryExpr).
    if (!(interval > 0)) throw execError(`subquery step must be positive, got ${interval}ms`);
    const start = (Math.floor((lo - range) / interval) + 1) * interval;
    if (start > hi) return { series: [], ends, range };
    const inner = new Evaluator(this.ctx, start, hi, interval);
    const v = await inner.eval(expr.expr);
    let series: EvalSeries[];
    if (v.type === 'vector') series = v.series;
    else if (v.type === 'scalar')
      series = [{ metric: [], dropName: false, ts: inner.steps.slice(), vs: Array.from(v.values) }];
    else throw execError(`subquery is only allowed on instant vector, got ${v.type}`);
    return { series, ends, range };
  }

  /**
   * A duration in ms: the parser's constant, or its duration expression evaluated with this
   * query's `step()` and `range()` (experimental duration expressions).
   */
  duration(ms: number, expr: Expr | undefined): number {
    if (expr === undefined) return ms;
    try {
      return evalDurationExpr(expr, {
        stepMs: this.ctx.queryStep,
        rangeMs: this.ctx.queryEnd - this.ctx.queryStart,
      });
    } catch (err) {
      throw execError((err as Error).message);
    }
  }

  /** A range argument as an instant query's result: the raw samples in each series' window. */
  private async rawRange(expr: MatrixSelector | SubqueryExpr): Promise<EvalSeries[]> {
    if (this.isRange) {
      throw new PromQLError(
        'bad_data',
        'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
      );
    }
    const input = await this.rangeInput(expr);
    const end = input.ends[0]!;
    const start = end - input.range;
    const out: EvalSeries[] = [];
    for (const s of input.series) {
      const ts: number[] = [];
      const vs: number[] = [];
      for (let i = 0; i < s.ts.length; i++) {
        if (s.ts[i]! > start && s.ts[i]! <= end) {
          ts.push(s.ts[i]!);
          vs.push(s.vs[i]!);
        }
      }
      if (ts.length > 0) out.push({ metric: s.metric, dropName: s.dropName, ts, vs });
    }
    return out;
  }

  /**
   * Evaluates `inputs` step by step: at each step the vector inputs become instant vectors and
   * `fn` appends the step's output. Output series are keyed by label set; two outputs with the
   * same labels at one step are an error, as in Prometheus.
   */
  async rangeEval(
    inputs: readonly EvalValue[],
    fn: (args: StepArg[], stepIndex: number, out: Vector) => void,
  ): Promise<EvalSeries[]> {
    const cursors = inputs.map((v) => (v.type === 'vector' ? new Int32Array(v.series.length) : null));
    const bySeries = new Map<string, EvalSeries>();
    const keys = new WeakMap<Labels, string>();
    const args: StepArg[] = new Array(inputs.length);
    for (let i = 0; i < this.steps.length; i++) {
      this.ctx.checkAlive();
      if (this.ctx.due()) await this.ctx.pause();
      const t = this.steps[i]!;
      let held = 0;
      for (let a = 0; a < inputs.length; a++) {
        const v = inputs[a]!;
        switch (v.type) {
          case 'scalar':
            args[a] = v.values[i]!;
            break;
          case 'string':
            args[a] = v.value;
            break;
          case 'vector': {
            const cur = cursors[a]!;
            const vec: Vector = [];
            for (let k = 0; k < v.series.length; k++) {
              const s = v.series[k]!;
              const p = cur[k]!;
              if (p < s.ts.length && s.ts[p] === t) {
                vec.push({ metric: s.metric, f: s.vs[p]!, t, dropName: s.dropName });
                cur[k] = p + 1;
              }
            }
            held += vec.length;
            args[a] = vec;
            break;
          }
          case 'matrix':
            throw execError('unexpected range vector in an instant expression');
          default:
            assertNever(v);
        }
      }
      const out: Vector = [];
      fn(args, i, out);
      this.ctx.checkSamples(held + out.length);
      for (const s of out) {
        let key = keys.get(s.metric);
        if (key === undefined) {
          key = labelsKey(s.metric);
          keys.set(s.metric, key);
        }
        let series = bySeries.get(key);
        if (series === undefined) {
          series = { metric: s.metric, dropName: s.dropName, ts: [], vs: [] };
          bySeries.set(key, series);
        } else if (series.ts[series.ts.length - 1] === t) {
          throw execError('vector cannot contain metrics with the same labelset');
        }
        series.ts.push(t);
        series.vs.push(s.f);
      }
    }
    return [...bySeries.values()];
  }

  /** Evaluates an expression that must be a scalar (a function's or operator's parameter). */
  async evalScalar(expr: Expr): Promise<Float64Array> {
    const v = await this.eval(expr);
    if (v.type !== 'scalar') throw execError(`expected type scalar, got ${v.type}`);
    return v.values;
  }
}

/**
 * The value at `t` of a `smoothed` selector: linear interpolation between the sample at or before
 * `t` (index `p`) and the next one when that is within a lookback; else the sample itself.
 */
function interpolateAt(
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  stale: Uint8Array,
  p: number,
  t: number,
  lookback: number,
): number {
  const t0 = ts[p]!;
  const n = p + 1;
  if (t0 === t || n >= ts.length || stale[n] === 1 || ts[n]! - t >= lookback) return vs[p]!;
  const v0 = vs[p]!;
  return v0 + ((vs[n]! - v0) * (t - t0)) / (ts[n]! - t0);
}

function minMax(xs: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
