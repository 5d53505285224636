/**
 * `db.stats()`: what the API layer exposes at `/v1/stats`, `/v1/storage`, `/v1/cardinality` and
 * as `tinyobs_tsdb_*` self-metrics. Cheap enough to call on every scrape: per-tier sample counts
 * come from SQLite and are cached for a few seconds.
 */

import type { StorageStats, TierStats } from '../storage/stats.js';
import { ChunkHeader } from './chunkenc/index.js';
import type { DB } from './db.js';
import { DOWNSAMPLE_DONE_KEY } from './persist/retention.js';
import { TIERS, type Tier } from './persist/store.js';

const hdr = new ChunkHeader();
const cache = new WeakMap<DB, { at: number; counts: Record<Tier, { rows: number; samples: number }> }>();

export function collectStats(db: DB): StorageStats {
  const head = db.head;
  let inHead = 0;
  let chunks = 0;
  let ooo = 0;
  for (const s of head.allSeries()) {
    if (s.openCount() > 0) {
      chunks++;
      inHead += s.openCount();
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
    outOfOrder: { accepted: st.outOfOrderAccepted },
    rejected: {
      tooOld: st.tooOldRejected,
      tooFarFuture: st.tooFarFutureRejected,
      duplicateTimestamp: st.duplicatesRejected,
      tooManySeries: st.seriesLimitRejected,
    },
  };
}
