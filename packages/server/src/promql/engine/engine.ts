/**
 * The PromQL engine's public API, for the HTTP layer and the conformance runner.
 *
 * ```ts
 * const engine = new Engine();
 * const r = await engine.instantQuery(db, 'sum by (job) (rate(http_requests_total[5m]))', Date.now());
 * const m = await engine.rangeQuery(db, 'up', start, end, 15_000);
 * ```
 *
 * Semantics follow Prometheus 3.x: a 5-minute lookback, left-open windows `(t - range, t]`,
 * staleness markers, extrapolated `rate`/`increase`/`delta`, and delayed metric-name removal
 * (operations mark the name for removal; it is removed when the result is produced).
 */

import { type Labels, labelsCompare, labelsKey } from '../../model/labels.js';
import type { Queryable } from '../../storage/types.js';
import type { Expr } from '../parser/ast.js';
import { parseExpr } from '../parser/parse.js';
import { Annotations } from './annotations.js';
import { QueryContext } from './context.js';
import { execError, PromQLError } from './errors.js';
import { Evaluator } from './evaluator.js';
import { QueryGate } from './gate.js';
import { checkNesting } from './nesting.js';
import type { EvalSeries, MatrixSeries, Point, QueryResult, QueryValue, VectorSample } from './types.js';

export type { PromQLErrorCode } from './errors.js';
export { PromQLError } from './errors.js';
export type { MatrixSeries, Point, QueryResult, QueryValue, VectorSample } from './types.js';

/** Engine settings; every field has Prometheus' default. */
export interface EngineOptions {
  /** How far back an instant selector looks for a sample, in ms (default 5 minutes). */
  readonly lookbackDelta?: number;
  /** Step of a subquery written without one (`x[5m:]`), in ms (default 1 minute). */
  readonly noStepSubqueryInterval?: number;
  /** Most samples a query may hold at once (default 50 000 000, Prometheus' `--query.max-samples`). */
  readonly maxSamples?: number;
  /** Query timeout in ms (default 2 minutes). */
  readonly timeoutMs?: number;
  /** Most points per series of a range query (default 11 000, as Prometheus' API). */
  readonly maxPointsPerSeries?: number;
  /** Parses query text (default: the PromQL parser's `parseExpr`). Errors become `bad_data`. */
  readonly parse?: (query: string) => Expr;
  /** Queries evaluated at once (default: unlimited); the others wait in a queue. */
  readonly maxConcurrency?: number;
  /** Queries that may wait for a slot (default 100); more are refused with code `unavailable`. */
  readonly maxQueued?: number;
}

/** Per-query options. */
export interface QueryOptions {
  /** Cancels the query; it then fails with code `canceled`. */
  readonly signal?: AbortSignal;
  /** Overrides the engine's lookback delta for this query, in ms. */
  readonly lookbackDelta?: number;
  /** This query's timeout in ms (Prometheus' `timeout` parameter); the engine's is the most. */
  readonly timeoutMs?: number;
}

/** What the engine has done so far, for the server's own metrics. */
export interface EngineStats {
  /** Queries evaluating now. */
  readonly running: number;
  /** Queries waiting for a slot. */
  readonly queued: number;
  /** Queries stopped because their client canceled them (in the queue or while evaluating). */
  readonly canceled: number;
  /** Queries stopped by their timeout. */
  readonly timedOut: number;
  /** Queries refused because the queue was full. */
  readonly refused: number;
}

const METRIC_NAME_LABELS = new Set(['__name__', '__type__', '__unit__']);

export class Engine {
  private readonly lookback: number;
  private readonly noStepSubqueryInterval: number;
  private readonly maxSamples: number;
  private readonly timeoutMs: number;
  private readonly maxPoints: number;
  private readonly parseFn: (query: string) => Expr;
  private readonly gate: QueryGate;
  private readonly outcomes = { canceled: 0, timedOut: 0, refused: 0 };

  constructor(opts: EngineOptions = {}) {
    this.lookback = opts.lookbackDelta ?? 5 * 60_000;
    this.noStepSubqueryInterval = opts.noStepSubqueryInterval ?? 60_000;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.maxPoints = opts.maxPointsPerSeries ?? 11_000;
    this.parseFn = opts.parse ?? parseExpr;
    this.gate = new QueryGate(opts.maxConcurrency ?? Number.POSITIVE_INFINITY, opts.maxQueued ?? 100);
  }

  stats(): EngineStats {
    return { running: this.gate.active, queued: this.gate.queued, ...this.outcomes };
  }

  /**
   * Evaluates `query` at `timeMs`. The value is a scalar, string, vector, or (for a range
   * selector or subquery at the top) a matrix of raw samples. Rejects with a {@link PromQLError}.
   */
  async instantQuery(
    queryable: Queryable,
    query: string | Expr,
    timeMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    return this.exec(queryable, query, timeMs, timeMs, 1, opts, false);
  }

  /**
   * Evaluates `query` at `startMs, startMs + stepMs, …, endMs`; the value is always a matrix,
   * sorted by labels (a scalar expression gives one series with no labels).
   */
  async rangeQuery(
    queryable: Queryable,
    query: string | Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    opts: QueryOptions = {},
  ): Promise<QueryResult> {
    if (!(stepMs > 0)) {
      throw new PromQLError(
        'bad_data',
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      );
    }
    if (endMs < startMs) throw new PromQLError('bad_data', 'end timestamp must not be before start time');
    if ((endMs - startMs) / stepMs > this.maxPoints) {
      throw new PromQLError(
        'bad_data',
        `exceeded maximum resolution of ${this.maxPoints.toLocaleString('en-US')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
      );
    }
    return this.exec(queryable, query, startMs, endMs, stepMs, opts, true);
  }

  private async exec(
    queryable: Queryable,
    query: string | Expr,
    start: number,
    end: number,
    step: number,
    opts: QueryOptions,
    isRange: boolean,
  ): Promise<QueryResult> {
    const text = typeof query === 'string' ? query : '';
    const expr = typeof query === 'string' ? this.parse(query) : query;
    checkNesting(expr);
    const timeout = Math.min(this.timeoutMs, opts.timeoutMs ?? Number.POSITIVE_INFINITY);
    const deadline = Date.now() + timeout;
    let release: () => void;
    try {
      release = await this.gate.acquire(deadline, opts.signal);
    } catch (err) {
      throw this.counted(err);
    }
    try {
      return await this.evaluate(queryable, expr, text, start, end, step, opts, isRange, deadline);
    } catch (err) {
      throw this.counted(err);
    } finally {
      release();
    }
  }

  /** Counts a failure by kind and passes it on. */
  private counted(err: unknown): unknown {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'canceled') this.outcomes.canceled++;
    else if (code === 'timeout') this.outcomes.timedOut++;
    else if (code === 'unavailable') this.outcomes.refused++;
    return err;
  }

  private async evaluate(
    queryable: Queryable,
    expr: Expr,
    text: string,
    start: number,
    end: number,
    step: number,
    opts: QueryOptions,
    isRange: boolean,
    deadline: number,
  ): Promise<QueryResult> {
    const annotations = new Annotations(text);
    const ctx = new QueryContext(
      queryable,
      annotations,
      start,
      end,
      isRange ? step : 0,
      opts.lookbackDelta ?? this.lookback,
      this.noStepSubqueryInterval,
      this.maxSamples,
      deadline,
      opts.signal,
    );
    try {
      if (opts.signal?.aborted)
        throw new PromQLError('canceled', 'query was canceled in expression evaluation');
      const ev = new Evaluator(ctx, start, end, step);
      const v = await ev.eval(expr);
      let value: QueryValue;
      switch (v.type) {
        case 'scalar':
          value = isRange
            ? {
                resultType: 'matrix',
                result: [{ metric: [], points: ev.steps.map((t, i) => ({ t, v: v.values[i]! })) }],
              }
            : { resultType: 'scalar', t: start, v: v.values[0]! };
          break;
        case 'string':
          if (isRange)
            throw new PromQLError(
              'bad_data',
              'invalid expression type "string" for range query, must be Scalar or instant Vector',
            );
          value = { resultType: 'string', t: start, v: v.value };
          break;
        case 'vector':
          value = isRange
            ? { resultType: 'matrix', result: toMatrix(v.series) }
            : { resultType: 'vector', result: toVector(v.series, start) };
          break;
        case 'matrix':
          if (isRange)
            throw new PromQLError(
              'bad_data',
              'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
            );
          value = { resultType: 'matrix', result: toMatrix(v.series) };
          break;
      }
      return { value, warnings: annotations.warnings(), infos: annotations.infos() };
    } catch (err) {
      if (err instanceof PromQLError) throw err;
      if (err instanceof Error && (err as { code?: unknown }).code === 'invalid_matcher')
        throw new PromQLError('bad_data', err.message);
      if (err instanceof RangeError) throw execError(err.message);
      throw err;
    } finally {
      ctx.close();
    }
  }

  private parse(query: string): Expr {
    try {
      return this.parseFn(query);
    } catch (err) {
      throw new PromQLError('bad_data', err instanceof Error ? err.message : String(err));
    }
  }
}

/** Applies delayed name removal. */
function finalLabels(s: { metric: Labels; dropName: boolean }): Labels {
  return s.dropName ? s.metric.filter((l) => !METRIC_NAME_LABELS.has(l.name)) : s.metric;
}

function toVector(series: readonly EvalSeries[], t: number): VectorSample[] {
  const seen = new Set<string>();
  const out: VectorSample[] = [];
  for (const s of series) {
    const metric = finalLabels(s);
    const key = labelsKey(metric);
    if (seen.has(key)) throw execError('vector cannot contain metrics with the same labelset');
    seen.add(key);
    out.push({ metric, t, v: s.vs[0]! });
  }
  return out;
}

/**
 * The matrix of a range query, sorted by labels. Series that became identical when their names
 * were dropped are merged when they do not overlap in time (Prometheus 3.x); a shared timestamp
 * is an error.
 */
function toMatrix(series: readonly EvalSeries[]): MatrixSeries[] {
  const byKey = new Map<string, MatrixSeries>();
  for (const s of series) {
    const metric = finalLabels(s);
    const key = labelsKey(metric);
    const n = s.ts.length;
    const points = new Array<Point>(n);
    for (let i = 0; i < n; i++) points[i] = { t: s.ts[i]!, v: s.vs[i]! };
    const prev = byKey.get(key);
    if (prev === undefined) {
      byKey.set(key, { metric, points });
      continue;
    }
    const merged = [...prev.points, ...points].sort((a, b) => a.t - b.t);
    for (let i = 1; i < merged.length; i++) {
      if (merged[i]!.t === merged[i - 1]!.t)
        throw execError('vector cannot contain metrics with the same labelset');
    }
    prev.points = merged;
  }
  return [...byKey.values()].sort((a, b) => labelsCompare(a.metric, b.metric));
}
