/**
 * `db.stats()`: what the API layer exposes at `/v1/stats`, `/v1/storage`, `/v1/cardinality` and
 * as `tinyobs_tsdb_*` self-metrics. Cheap enough to call on every scrape: per-tier sample counts
 * come from SQLite and are cached for a few seconds.
 */

import { ChunkHeader } from './chunkenc/index.js';
import type { DB } from './db.js';
import { DOWNSAMPLE_DONE_KEY } from './persist/retention.js';
import { TIERS, type Tier } from './persist/store.js';

export interface TierStats {
  /** How long this tier is kept, in ms. */
  readonly retentionMs: number;
  /** Rows (one series over a stretch of time) and samples (tiers: buckets) on disk. */
  readonly rows: number;
  readonly samples: number;
  /** Downsampled tiers: data before this time (ms) is aggregated; null when nothing yet. */
  readonly doneUntil: number | null;
}

export interface DBStats {
  /** Series known to the database (in memory, persisted or both). */
  readonly series: number;
  /** Series per metric name, most first. */
  readonly seriesByMetric: readonly { readonly metric: string; readonly series: number }[];
  readonly samples: {
    /** Samples committed since the database was opened. */
    readonly appendedSinceOpen: number;
    /** Samples in memory (open and not yet persisted chunks, out-of-order buffers). */
    readonly inHead: number;
    /** Raw samples persisted on disk. */
    readonly onDisk: number;
  };
  readonly bytes: {
    /** Chunk store (SQLite pages in use) plus write-ahead log. */
    readonly total: number;
    readonly chunkStore: number;
    readonly wal: number;
    /** The size budget (`maxStorageBytes`). */
    readonly budget: number;
  };
  readonly head: {
    /** Chunks in memory: open ones plus those cut and not yet persisted. */
    readonly chunks: number;
    readonly outOfOrderSamples: number;
    /** Newest sample timestamp in the database (ms), null when empty. */
    readonly maxTime: number | null;
  };
  readonly tiers: Readonly<Record<Tier, TierStats>>;
  /** Background work since open. */
  readonly compactions: {
    readonly persists: number;
    readonly persistedSamples: number;
    readonly lastPersistMs: number;
    readonly downsampleWindows: number;
    readonly retentionRuns: number;
    readonly budgetDeletions: number;
  };
  readonly corruptions: {
    /** Write-ahead log tails cut at open (0 or 1 per open). */
    readonly walCuts: number;
    /** Details of the cut at the last open, if any. */
    readonly lastWalCut: DB['replay']['cut'];
    /** Persisted rows found damaged by reads since open (skipped). */
    readonly corruptRows: number;
    readonly backgroundErrors: number;
  };
  readonly outOfOrder: { readonly accepted: number; readonly rejected: number };
  readonly rejected: {
    readonly outOfOrder: number;
    readonly tooOld: number;
    readonly duplicateTimestamp: number;
    readonly tooManySeries: number;
  };
}

const hdr = new ChunkHeader();
const cache = new WeakMap<DB, { at: number; counts: Record<Tier, { rows: number; samples: number }> }>();

export function collectStats(db: DB): DBStats {
  const head = db.head;
  let inHead = 0;
  let chunks = 0;
  let ooo = 0;
  for (const s of head.allSeries()) {
    if (s.open !== null && s.open.count > 0) {
      chunks++;
      inHead += s.open.count;
    }
    if (s.closed !== null) {
      for (const c of s.closed) if (hdr.parse(c.bytes)) inHead += hdr.count;
      chunks += s.closed.length;
    }
    inHead += s.oooN;
    ooo += s.oooN;
  }
  let cached = cache.get(db);
  if (cached === undefined || Date.now() - cached.at > 5000) {
    const counts = {} as Record<Tier, { rows: number; samples: number }>;
    for (const t of TIERS) counts[t] = db.store.count(t);
    cached = { at: Date.now(), counts };
    cache.set(db, cached);
  }
  const o = db.options;
  const retention: Record<Tier, number> = {
    raw: o.retentionRawMs,
    '5m': o.retention5mMs,
    '1h': o.retention1hMs,
  };
  const tiers = {} as Record<Tier, TierStats>;
  for (const t of TIERS) {
    tiers[t] = {
      retentionMs: retention[t],
      ...cached.counts[t],
      doneUntil: t === 'raw' ? null : (db.store.getMeta(DOWNSAMPLE_DONE_KEY[t]) ?? null),
    };
  }
  const chunkStore = db.store.usedBytes();
  const wal = db.walBytes;
  const st = head.stats;
  const c = db.counters;
  return {
    series: st.series,
    seriesByMetric: [...head.seriesCountsByMetric()]
      .map(([metric, series]) => ({ metric, series }))
      .sort((a, b) => b.series - a.series || (a.metric < b.metric ? -1 : 1)),
    samples: { appendedSinceOpen: st.samplesAppended, inHead, onDisk: cached.counts.raw.samples },
    bytes: { total: chunkStore + wal, chunkStore, wal, budget: o.maxStorageBytes },
    head: {
      chunks,
      outOfOrderSamples: ooo,
      maxTime: Number.isFinite(head.maxTime) ? head.maxTime : null,
    },
    tiers,
    compactions: {
      persists: c.persists,
      persistedSamples: c.persistedSamples,
      lastPersistMs: c.lastPersistMs,
      downsampleWindows: c.downsampleWindows,
      retentionRuns: c.retentionRuns,
      budgetDeletions: c.budgetDeletions,
    },
    corruptions: {
      walCuts: c.walCorruptions,
      lastWalCut: db.replay.cut,
      corruptRows: db.store.corruptRows,
      backgroundErrors: c.backgroundErrors,
    },
    outOfOrder: { accepted: st.outOfOrderAccepted, rejected: st.outOfOrderRejected },
    rejected: {
      outOfOrder: st.outOfOrderRejected,
      tooOld: st.tooOldRejected,
      duplicateTimestamp: st.duplicatesRejected,
      tooManySeries: st.seriesLimitRejected,
    },
  };
}
