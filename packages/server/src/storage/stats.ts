/**
 * The storage engine's report about itself: what the API layer exposes at `/v1/stats`,
 * `/v1/storage`, `/v1/cardinality` and as `tinyobs_tsdb_*` self-metrics. A contract, so that
 * `api/` and `telemetry/` do not depend on the engine (`tsdb/db_stats.ts` fills it in).
 */

/** A write-ahead log tail cut at open: where, why and how much was dropped. */
export interface WalCut {
  readonly segment: number;
  readonly offset: number;
  readonly reason: string;
  readonly bytesDropped: number;
  readonly segmentsDropped: number;
}

export interface TierStats {
  /** How long this tier is kept, in ms. */
  readonly retentionMs: number;
  /** Rows (one series over a stretch of time) and samples (tiers: buckets) on disk. */
  readonly rows: number;
  readonly samples: number;
  /** Downsampled tiers: data before this time (ms) is aggregated; null when nothing yet. */
  readonly doneUntil: number | null;
}

/** What the storage engine reports about itself (`db.stats()`). */
export interface StorageStats {
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
  readonly tiers: Readonly<Record<'raw' | '5m' | '1h', TierStats>>;
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
    readonly lastWalCut: WalCut | null;
    /** Persisted rows found damaged by reads since open (skipped). */
    readonly corruptRows: number;
    readonly backgroundErrors: number;
  };
  /** Samples accepted older than their series' newest (late data within raw retention). */
  readonly outOfOrder: { readonly accepted: number };
  readonly rejected: {
    /** Older than raw retention keeps. */
    readonly tooOld: number;
    /** Further ahead of the clock than the future limit. */
    readonly tooFarFuture: number;
    readonly duplicateTimestamp: number;
    readonly tooManySeries: number;
  };
}
