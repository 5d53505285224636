/**
 * Reading series for selectors. Each selector is read once per query over the union of the
 * windows of all steps; steps then walk the loaded points with cursors.
 */

import type { Labels } from '../../model/labels.js';
import { isStaleNaN } from '../../model/sample.js';
import type { Querier, SampleIterator, SelectHints } from '../../storage/types.js';
import { doubled } from '../../typed.js';
import type { AtModifier, VectorSelector } from '../parser/ast.js';
import type { QueryContext } from './context.js';

/** A series loaded for a selector: raw samples, stale markers flagged (values kept as read). */
export interface LoadedSeries {
  metric: Labels;
  ts: Float64Array;
  vs: Float64Array;
  /**
   * Per point: 1 when the sample was a stale marker (its NaN payload may not survive a JS array);
   * empty when the series has no stale marker in range.
   */
  stale: Uint8Array;
}

/** The times the evaluator needs a selector at, one per step, after `@` and `offset`. */
export function effectiveTimes(
  at: AtModifier | null,
  offset: number,
  stepTimes: readonly number[],
  queryStart: number,
  queryEnd: number,
): number[] {
  const out = new Array<number>(stepTimes.length);
  let fixed: number | null = null;
  if (at !== null) fixed = at.kind === 'timestamp' ? at.ms : at.kind === 'start' ? queryStart : queryEnd;
  for (let i = 0; i < stepTimes.length; i++) out[i] = (fixed ?? stepTimes[i]!) - offset;
  return out;
}

/**
 * Loads every sample with `mint < t <= maxt` (left-open, as Prometheus 3.x windows are) of the
 * series the selector matches. Stale markers are kept (flagged) when `keepStale`, else dropped:
 * range selectors never see them.
 */
/**
 * Reused read buffers: one exact-size copy per series instead of growing arrays. A query yields
 * only between series, never while a series is in them, so one set serves every query.
 */
let scratchT = new Float64Array(1024);
let scratchV = new Float64Array(1024);

function grow(): void {
  scratchT = doubled(scratchT);
  scratchV = doubled(scratchV);
}

/**
 * Calls `fn` for each series matching the selector with its non-stale samples in
 * `(mint, maxt]`, read into buffers that are only valid until `fn` (or the promise it returns,
 * when it yields half-way through a long series) is done (`n` points).
 */
export async function streamSeries(
  querier: Querier,
  sel: VectorSelector,
  mint: number,
  maxt: number,
  hints: SelectHints,
  ctx: QueryContext,
  fn: (labels: Labels, ts: Float64Array, vs: Float64Array, n: number) => Promise<void> | undefined,
): Promise<void> {
  const set = querier.select(sel.matchers, hints);
  let it: SampleIterator | undefined;
  // This read's own buffers: `fn` may yield while it holds them, and other queries run then.
  let bufT = new Float64Array(1024);
  let bufV = new Float64Array(1024);
  while (set.next()) {
    if (ctx.due()) await ctx.pause();
    const s = set.at();
    it = s.iterator(it);
    let n = 0;
    for (let ok = it.seek(mint + 1); ok; ok = it.next()) {
      const t = it.t();
      if (t > maxt) break;
      const v = it.v();
      if (Number.isNaN(v) && isStaleNaN(v)) continue;
      if (n === bufT.length) {
        bufT = doubled(bufT);
        bufV = doubled(bufV);
      }
      bufT[n] = t;
      bufV[n++] = v;
    }
    const err = it.err();
    if (err !== null) throw err;
    const pending = fn(s.labels, bufT, bufV, n);
    if (pending !== undefined) await pending;
  }
  const err = set.err();
  if (err !== null) throw err;
}

export async function loadSeries(
  querier: Querier,
  sel: VectorSelector,
  mint: number,
  maxt: number,
  keepStale: boolean,
  hints: SelectHints,
  ctx: QueryContext,
): Promise<LoadedSeries[]> {
  const set = querier.select(sel.matchers, hints);
  const out: LoadedSeries[] = [];
  let it: SampleIterator | undefined;
  let loaded = 0;
  while (set.next()) {
    if (ctx.due()) await ctx.pause();
    const s = set.at();
    it = s.iterator(it);
    let n = 0;
    let stale: number[] | null = null;
    let ok = it.seek(mint + 1);
    while (ok) {
      const t = it.t();
      if (t > maxt) break;
      const v = it.v();
      if (n === scratchT.length) grow();
      // Check the bits before the value lands anywhere that could quiet the NaN.
      if (Number.isNaN(v) && isStaleNaN(v)) {
        if (keepStale) {
          stale ??= [];
          stale.push(n);
          scratchT[n] = t;
          scratchV[n++] = Number.NaN;
        }
      } else {
        scratchT[n] = t;
        scratchV[n++] = v;
      }
      ok = it.next();
    }
    const err = it.err();
    if (err !== null) throw err;
    // Every loaded sample is held until the query ends: refuse before memory runs out.
    loaded += n;
    ctx.checkSamples(loaded);
    const flags = new Uint8Array(stale === null ? 0 : n);
    if (stale !== null) for (const i of stale) flags[i] = 1;
    out.push({ metric: s.labels, ts: scratchT.slice(0, n), vs: scratchV.slice(0, n), stale: flags });
  }
  const err = set.err();
  if (err !== null) throw err;
  return out;
}
