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

const HOUR = 3_600_000;

/**
 * The time before which raw data is past its retention: the newest sample (at most the wall
 * clock) minus the raw retention, but never past what both tiers have aggregated.
 */
export function rawRetentionCut(store: ChunkStore, head: Head, o: ResolvedOptions): number {
  // Not later than the wall clock: one sample stamped years ahead must not expire everything.
  const now = Math.min(head.maxTime, Date.now());
  if (!Number.isFinite(now)) return Number.NEGATIVE_INFINITY;
  let cut = now - o.retentionRawMs;
  if (o.downsample) {
    // No raw data is dropped before both tiers have aggregated it (e.g. after a long downtime);
    // a tier with no progress yet has aggregated nothing.
    for (const key of Object.values(DOWNSAMPLE_DONE_KEY)) {
      cut = Math.min(cut, store.getMeta(key) ?? Number.NEGATIVE_INFINITY);
    }
  }
  return cut;
}

/** Applies retention; returns the time before which raw data is gone (-Infinity: none yet). */
export function enforceRetention(store: ChunkStore, head: Head, o: ResolvedOptions): number {
  const now = Math.min(head.maxTime, Date.now());
  if (!Number.isFinite(now)) return Number.NEGATIVE_INFINITY;
  const rawCut = rawRetentionCut(store, head, o);
  store.deleteBefore('raw', rawCut);
  // The 1h tier is folded from the 5m tier: keep 5m data it has not folded yet.
  store.deleteBefore(
    '5m',
    Math.min(now - o.retention5mMs, store.getMeta(DOWNSAMPLE_DONE_KEY['1h']) ?? Number.NEGATIVE_INFINITY),
  );
  store.deleteBefore('1h', now - o.retention1hMs);
  raiseDiskMin(head, rawCut);
  return rawCut;
}

/** Share of the budget that deletions free beyond the limit, so that commits do not hit it again at once. */
const HEADROOM = 0.05;

/**
 * When the store and the log exceed `budget`, deletes the oldest persisted data, an hour at a
 * time, raw first, then the 5m and 1h tiers, until they fit in the budget less a 5% headroom.
 * Returns how many deletions it made.
 */
export function enforceBudget(store: ChunkStore, head: Head, budget: number, walBytes: number): number {
  let deletions = 0;
  if (store.usedBytes() + walBytes <= budget) return 0;
  const target = budget * (1 - HEADROOM);
  // Deletions grow SQLite's own log until a checkpoint: fold it in before each measurement.
  const over = () => {
    store.vacuum();
    return store.usedBytes() + walBytes > target;
  };
  for (const tier of ['raw', '5m', '1h'] as Tier[]) {
    while (over()) {
      const p = store.partitionsOf(tier)[0];
      if (p === undefined) break;
      const start = p * PARTITION_MS[tier];
      let cut = start + HOUR;
      // Slices of an hour within the oldest partition; the partition goes when it is empty.
      while (over() && cut <= start + PARTITION_MS[tier]) {
        store.deleteBefore(tier, cut);
        deletions++;
        if (tier === 'raw') raiseDiskMin(head, cut);
        cut += HOUR;
      }
      if (over()) {
        store.dropPartition(tier, p);
        deletions++;
        if (tier === 'raw') raiseDiskMin(head, start + PARTITION_MS[tier]);
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
