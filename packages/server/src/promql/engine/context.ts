/**
 * State shared by every evaluator of one query (the top-level one and those of subqueries):
 * settings, limits, the storage handle and the annotations collected so far.
 */

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Querier, Queryable } from '../../storage/types.js';
import type { Annotations } from './annotations.js';
import { PromQLError, TOO_MANY_SAMPLES_MESSAGE } from './errors.js';

/**
 * How long a query computes before it lets the event loop run (ingest, /v1/health, other
 * queries). Measured: 5 ms slices add under 1% to the benchmark queries' time and keep the
 * longest event-loop stall near 10 ms while `count({__name__=~".+"})` runs in a loop.
 */
const SLICE_MS = 5;

export class QueryContext {
  private readonly queriers: Querier[] = [];
  private checks = 0;
  private sliceStart = performance.now();

  constructor(
    readonly queryable: Queryable,
    readonly annotations: Annotations,
    /** The query's own start and end, what `@ start()` and `@ end()` mean everywhere in it. */
    readonly queryStart: number,
    readonly queryEnd: number,
    /** The query's step in ms; 0 for an instant query (what `step()` returns). */
    readonly queryStep: number,
    readonly lookback: number,
    readonly noStepSubqueryInterval: number,
    readonly maxSamples: number,
    private readonly deadline: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** A querier over `[mint, maxt]`, closed when the query ends. */
  querier(mint: number, maxt: number): Querier {
    const q = this.queryable.querier(mint, maxt);
    this.queriers.push(q);
    return q;
  }

  close(): void {
    for (const q of this.queriers) q.close();
    this.queriers.length = 0;
  }

  /** Throws when the query ran out of time or was canceled; cheap enough to call per step. */
  checkAlive(): void {
    if ((this.checks++ & 63) !== 0) return;
    this.checkNow();
  }

  /**
   * True when the query has computed for a slice since it last yielded: the caller then awaits
   * {@link pause}. Evaluation yields only between series or steps, never while a storage
   * iterator or a shared read buffer is in use.
   */
  due(): boolean {
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  /** Lets queued I/O run, then throws if the query was canceled or timed out meanwhile. */
  async pause(): Promise<void> {
    await nextTurn();
    this.sliceStart = performance.now();
    this.checkNow();
  }

  private checkNow(): void {
    if (this.signal?.aborted)
      throw new PromQLError('canceled', 'query was canceled in expression evaluation');
    if (Date.now() > this.deadline)
      throw new PromQLError('timeout', 'query timed out in expression evaluation');
  }

  /** Enforces the per-query sample limit on the number of samples held at one time. */
  checkSamples(n: number): void {
    if (n > this.maxSamples) throw new PromQLError('too_many_samples', TOO_MANY_SAMPLES_MESSAGE);
  }
}
