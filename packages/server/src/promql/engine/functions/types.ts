/**
 * The shape of the function tables. Each family file exports a table of {@link FunctionDef}s;
 * properties such as "drops the metric name" are data here, not `if` chains in the evaluator.
 */

import type { Labels } from '../../../model/labels.js';
import type { Call } from '../../parser/ast.js';
import type { Annotations } from '../annotations.js';
import type { Vector } from '../types.js';

/** The points of one series inside a range window `(start, end]`: indices `[lo, hi)`. */
export interface Window {
  readonly metric: Labels;
  readonly ts: ArrayLike<number>;
  readonly vs: ArrayLike<number>;
  readonly lo: number;
  readonly hi: number;
  /** Window bounds in ms: the window is `(start, end]`. */
  readonly start: number;
  readonly end: number;
  /** The range in ms. */
  readonly range: number;
  /** The evaluation step's timestamp (before offset/@). */
  readonly stepTime: number;
  /** The experimental `anchored`/`smoothed` modifier on the selector, if any. */
  readonly mode: 'anchored' | 'smoothed' | null;
  /** With a modifier: index of the last sample at or before `start` (within a lookback), or -1. */
  readonly anchor: number;
  /** With `smoothed`: index of the first sample after `end` (within a lookback), or -1. */
  readonly after: number;
  /** Number of valid points in `ts`/`vs` (the arrays may be longer, reused read buffers). */
  readonly count: number;
  /** Per-series memo shared by the steps of one series (reset for each series). */
  readonly memo: {
    resets: Float64Array | null;
    /** True once the series was checked for looking like a counter (an info, once per series). */
    checked: boolean;
  };
}

/** What a function sees besides its arguments. */
export interface FnContext {
  readonly call: Call;
  readonly annotations: Annotations;
  /** The step's timestamp in ms. */
  readonly ts: number;
  /** True when the query is a range query with more than one step. */
  readonly isRange: boolean;
  /** The query's own start, end and step in ms (step 0 for an instant query). */
  readonly query: { readonly start: number; readonly end: number; readonly step: number };
}

/** An argument of an instant function at one step. */
export type StepArg = Vector | number | string;

/** A function over one series' window; returns undefined for "no sample". */
export type RangeFn = (w: Window, params: readonly number[], ctx: FnContext) => number | undefined;

/** A function over instant vectors/scalars/strings at one step, appending its output to `out`. */
export type VectorFn = (args: readonly StepArg[], ctx: FnContext, out: Vector) => void;

/** A label rewrite of one series (label_replace, label_join), compiled from string arguments. */
export type Relabel = (metric: Labels, dropName: boolean) => { metric: Labels; dropName: boolean };

/** A function returning a scalar at each step. */
export type ScalarFn = (args: readonly StepArg[], ctx: FnContext) => number;

export type FunctionImpl =
  /** `matrixArg` is the index of the range-vector argument; the other arguments are scalars. */
  | { readonly kind: 'range'; readonly matrixArg: number; readonly fn: RangeFn }
  /**
   * `map`, when present, says the function is element-wise, and `relabel` that it only rewrites
   * labels from its string arguments: either lets the evaluator run it series by series.
   */
  | {
      readonly kind: 'vector';
      readonly fn: VectorFn;
      readonly map?: (v: number) => number;
      readonly relabel?: (args: readonly string[]) => Relabel;
    }
  | { readonly kind: 'scalar'; readonly fn: ScalarFn };

export interface FunctionDef {
  readonly name: string;
  /**
   * True when the output drops the metric name (Prometheus 3.x: marked and removed at the end).
   * For range functions the evaluator applies it; vector functions set `dropName` themselves.
   */
  readonly dropsName: boolean;
  readonly impl: FunctionImpl;
}

/** Builds a vector function applying `f` to every sample's value, dropping the metric name. */
export function mapValues(f: (v: number) => number): VectorFn {
  return (args, _ctx, out) => {
    for (const s of args[0] as Vector) out.push({ metric: s.metric, f: f(s.f), t: s.t, dropName: true });
  };
}

const kahanOut: [number, number] = [0, 0];

/**
 * Neumaier-compensated summation step, as Prometheus' kahanSumInc. Returns [sum, c] in a shared
 * tuple (no allocation in hot loops): destructure it at once, never keep it.
 */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  kahanOut[0] = t;
  kahanOut[1] = c;
  return kahanOut;
}
