/**
 * Retention per tier and the total size budget. Both delete the oldest data first and only ever
 * persisted data: what is still in the head and the log stays until it is persisted.
 *
 * Time here is data time (the newest sample in the database, capped at the wall clock), as in
 * Prometheus: a database restored from a backup or fed with old timestamps is not emptied at
 * start.
 */

import type { Head } from '../head/head.js';
import type { ResolvedOptions } from '../options.js';
import { type ChunkStore, PARTITION_MS, ROW_MAX_SPAN_MS, type Tier } from './store.js';

/** Meta keys of the downsampling progress: raw data before it must not be deleted by retention. */
export const DOWNSAMPLE_DONE_KEY: Readonly<Record<'5m' | '1h', string>> = {
  '5m': 'ds_5m_done',
  '1h': 'ds_1h_done',
};

/**
 * Meta key of the head's floor raised by a downsampling the size budget forced (samples before it
 * are refused), and of where the budget deleted raw and 5m data: reads use the tiers before those.
 */
export const FLOOR_KEY = 'floor';
const BUDGET_CUT_KEY: Readonly<Record<'raw' | '5m', string>> = {
  raw: 'budget_cut_raw',
  '5m': 'budget_cut_5m',
};

/** Builds the tiers of every window before `upTo` (see `Downsampler.steps`). */
export type BuildTiers = (upTo: number) => Generator<void, unknown, void>;

const HOUR = 3_600_000;

/** Times before which retention deletes raw data and the 5m tier (-Infinity: nothing yet). */
export interface RetentionCuts {
  readonly raw: number;
  readonly fiveMin: number;
}

/**
 * Where retention cuts now: the newest sample (at most the wall clock) minus each tier's
 * retention, but never past what the next tier has aggregated: raw data stays until the 5m tier
 * holds it (and one window more, which the next 5m window reads back into), 5m data until the 1h tier (folded from 5m buckets) does; a tier with no progress yet
 * has aggregated nothing. Without downsampling, raw data is simply deleted at its retention.
 */
export function retentionCuts(store: ChunkStore, head: Head, o: ResolvedOptions): RetentionCuts {
  // Not later than the wall clock: one sample stamped years ahead must not expire everything.
  const now = Math.min(head.maxTime, Date.now());
  if (!Number.isFinite(now)) return { raw: Number.NEGATIVE_INFINITY, fiveMin: Number.NEGATIVE_INFINITY };
  const done = (key: string) => store.getMeta(key) ?? Number.NEGATIVE_INFINITY;
  const done1h = done(DOWNSAMPLE_DONE_KEY['1h']);
  if (!o.downsample) return { raw: now - o.retentionRawMs, fiveMin: Number.NEGATIVE_INFINITY };
  return {
    // The 5m tier's next window reads raw samples from one row span back (the increase of its
    // first bucket needs the sample before it), so those stay too. Where the size budget
    // deleted more, raw data (or 5m data) is gone up to its cut.
    raw: Math.max(
      Math.min(now - o.retentionRawMs, done(DOWNSAMPLE_DONE_KEY['5m']) - ROW_MAX_SPAN_MS['5m']),
      done(BUDGET_CUT_KEY.raw),
    ),
    fiveMin: Math.max(Math.min(now - o.retention5mMs, done1h), done(BUDGET_CUT_KEY['5m'])),
  };
}

/** Applies retention; returns where it cut. */
export function enforceRetention(store: ChunkStore, head: Head, o: ResolvedOptions): RetentionCuts {
  const now = Math.min(head.maxTime, Date.now());
  const cuts = retentionCuts(store, head, o);
  if (!Number.isFinite(now)) return cuts;
  store.deleteBefore('raw', cuts.raw);
  store.deleteBefore('5m', cuts.fiveMin);
  store.deleteBefore('1h', now - o.retention1hMs);
  raiseDiskMin(head, cuts.raw);
  return cuts;
}

/** Share of the budget that deletions free beyond the limit, so that commits do not hit it again at once. */
const HEADROOM = 0.05;

/**
 * When the store and the log exceed `budget`, deletes the oldest persisted data, an hour at a
 * time, raw first, then the 5m and 1h tiers, until they fit in the budget less a 5% headroom.
 * Raw data is deleted only once the 5m tier holds it (and 5m data once the 1h tier does): with
 * `buildTiers`, the tiers over what must go are built first, so data is degraded, not lost.
 * Yields after each deletion (for the background); returns how many deletions it made.
 */
export function* budgetSteps(
  store: ChunkStore,
  head: Head,
  budget: number,
  walBytes: number,
  buildTiers: BuildTiers | null,
): Generator<void, number, void> {
  let deletions = 0;
  if (store.usedBytes() + walBytes <= budget) return 0;
  const target = budget * (1 - HEADROOM);
  // Deletions grow SQLite's own log until a checkpoint: fold it in before each measurement.
  const over = () => {
    store.vacuum();
    return store.usedBytes() + walBytes > target;
  };
  /**
   * Before `tier` loses data before `cut`: the next tier holds it (built now if need be), and
   * reads go there. False when it cannot (the tiers are never built into the newest window).
   */
  function* degrade(tier: Tier, cut: number): Generator<void, boolean, void> {
    if (tier === '1h' || buildTiers === null) return true;
    // Raw must also cover the window the next 5m window reads back into (see retentionCuts).
    const need = tier === 'raw' ? cut + ROW_MAX_SPAN_MS['5m'] : cut;
    const key = DOWNSAMPLE_DONE_KEY[tier === 'raw' ? '5m' : '1h'];
    const done = () => store.getMeta(key) ?? Number.NEGATIVE_INFINITY;
    if (done() < need) yield* buildTiers(need);
    if (done() < need) return false;
    store.setMeta(BUDGET_CUT_KEY[tier], Math.max(store.getMeta(BUDGET_CUT_KEY[tier]) ?? cut, cut));
    return true;
  }
  tiers: for (const tier of ['raw', '5m', '1h'] as Tier[]) {
    while (over()) {
      const p = store.partitionsOf(tier)[0];
      if (p === undefined) break;
      const start = p * PARTITION_MS[tier];
      let cut = start + HOUR;
      // Slices of an hour within the oldest partition; the partition goes when it is empty.
      while (over() && cut <= start + PARTITION_MS[tier]) {
        if (!(yield* degrade(tier, cut))) continue tiers;
        store.deleteBefore(tier, cut);
        deletions++;
        if (tier === 'raw') raiseDiskMin(head, cut);
        cut += HOUR;
        yield;
      }
      if (over()) {
        if (!(yield* degrade(tier, start + PARTITION_MS[tier]))) continue tiers;
        store.dropPartition(tier, p);
        deletions++;
        if (tier === 'raw') raiseDiskMin(head, start + PARTITION_MS[tier]);
        yield;
      }
    }
  }
  return deletions;
}

/**
 * After raw rows ending before `cut` are gone, no series has persisted raw data before
 * `cut - ROW_MAX_SPAN_MS` (a kept row may start that much earlier).
 */
function raiseDiskMin(head: Head, cut: number): void {
  const t = cut - ROW_MAX_SPAN_MS.raw;
  for (const s of head.allSeries()) {
    if (s.diskMinT >= t) continue;
    s.diskMinT = t;
    if (s.diskMinT > s.diskMaxT) {
      s.diskMinT = Number.POSITIVE_INFINITY;
      s.diskMaxT = Number.NEGATIVE_INFINITY;
    }
  }
}
