/**
 * Values the evaluator passes around. During evaluation every vector-valued expression is a set of
 * series over the query's steps (a range query is many steps, an instant query one), so selectors
 * are read once per query rather than once per step.
 */

import type { Labels } from '../../model/labels.js';

/** One sample of an instant vector at the current step. */
export interface Sample {
  metric: Labels;
  /** Value. */
  f: number;
  /** Sample timestamp in ms; only `timestamp()` and raw selectors look at it. */
  t: number;
  /**
   * Delayed metric-name removal (Prometheus 3.x): an operation that drops the name only marks the
   * sample; the name (and `__type__`/`__unit__`) is removed when the final result is produced.
   */
  dropName: boolean;
}

/** An instant vector at one step. */
export type Vector = Sample[];

/** A series of points inside the evaluator: timestamps and values in ascending time order. */
export interface EvalSeries {
  metric: Labels;
  dropName: boolean;
  ts: number[];
  vs: number[];
}

/** A series read for a range argument: typed arrays from storage, or a subquery's series. */
export interface RangeSeries {
  metric: Labels;
  dropName: boolean;
  ts: ArrayLike<number>;
  vs: ArrayLike<number>;
}

/** The result of evaluating one expression over all steps of the query. */
export type EvalValue =
  | { readonly type: 'vector'; readonly series: EvalSeries[] }
  /** One value per step; a scalar is defined at every step. */
  | { readonly type: 'scalar'; readonly values: Float64Array }
  | { readonly type: 'string'; readonly value: string }
  /** Raw range-vector samples (a matrix selector or subquery), only as an instant query's result. */
  | { readonly type: 'matrix'; readonly series: EvalSeries[] };

/** A point of a result series. */
export interface Point {
  /** Timestamp in ms. */
  t: number;
  v: number;
}

/** A series of a matrix result. */
export interface MatrixSeries {
  metric: Labels;
  points: Point[];
}

/** A sample of a vector result. */
export interface VectorSample {
  metric: Labels;
  t: number;
  v: number;
}

/** A query's value, shaped as Prometheus' `resultType`s. */
export type QueryValue =
  | { readonly resultType: 'scalar'; readonly t: number; readonly v: number }
  | { readonly resultType: 'string'; readonly t: number; readonly v: string }
  | { readonly resultType: 'vector'; readonly result: VectorSample[] }
  | { readonly resultType: 'matrix'; readonly result: MatrixSeries[] };

/** A successful query: its value and the annotations Prometheus would return. */
export interface QueryResult {
  readonly value: QueryValue;
  /** Rendered warnings, e.g. `PromQL warning: … (1:6)`. */
  readonly warnings: string[];
  /** Rendered infos, e.g. `PromQL info: … (1:1)`. */
  readonly infos: string[];
}
