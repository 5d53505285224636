/**
 * Options of the embedded database, with their defaults. The CLI maps its flags onto these
 * (`--retention-raw`, `--retention-5m`, `--retention-1h`, `--max-storage`, `--wal-fsync`,
 * `--max-future`).
 */

import type { FsyncPolicy } from './wal/wal.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

export interface DBOptions {
  /** Directory holding the database's files; created when missing. */
  readonly dir: string;
  /**
   * When the write-ahead log is fsynced (default `interval`): `always` before every commit
   * resolves (group commit), `interval` every {@link walFsyncIntervalMs}, `never` left to the
   * kernel. A process kill (SIGKILL, OOM) loses nothing acknowledged under every policy, because
   * a commit resolves only after write(2) returned; a power cut or kernel crash loses what was
   * not yet fsynced: nothing under `always`, up to the interval under `interval`.
   */
  readonly walFsync?: FsyncPolicy;
  /** Period of the `interval` fsync policy in ms (default 1000). */
  readonly walFsyncIntervalMs?: number;
  /** Size after which the log starts a new segment file, in bytes (default 64 MiB). */
  readonly walSegmentBytes?: number;
  /**
   * How far ahead of the wall clock a sample may be, in ms (default 10 min); later ones are
   * rejected `too_far_future` and never become their series' newest sample. (How far back a
   * sample may be is the raw retention: anything it keeps is accepted, in or out of order.)
   */
  readonly maxFutureMs?: number;
  /**
   * How often cut chunks are persisted and the log truncated, in ms (default 1 h; 0: only when
   * the log outgrows {@link walMaxBytes}, on `DB.persist()` and on close). Longer means fewer,
   * larger rows (1.27 bytes/sample at 1 h against 1.39 at 10 min on the benchmark workload), more
   * cut chunks in memory (~1 byte a sample) and a longer log to replay at start (~0.25 s per
   * million samples).
   */
  readonly persistIntervalMs?: number;
  /** Log size that triggers a persistence before the interval, in bytes (default 128 MiB). */
  readonly walMaxBytes?: number;
  /** How long raw samples are kept, in ms (default 15 days). */
  readonly retentionRawMs?: number;
  /** How long the 5-minute tier is kept, in ms (default 90 days). */
  readonly retention5mMs?: number;
  /** How long the 1-hour tier is kept, in ms (default 365 days). */
  readonly retention1hMs?: number;
  /**
   * Total size budget of the data directory in bytes (default 1 GiB). When it is reached the
   * oldest data is deleted first (raw, then 5m, then 1h); commits fail with
   * `StorageError('storage_full')` only when nothing more can be freed.
   */
  readonly maxStorageBytes?: number;
  /**
   * Most series in the database (default 1 000 000; 0: no limit). Samples of new series beyond it
   * are rejected `too_many_series` and their metric names reported in the commit result.
   */
  readonly maxSeries?: number;
  /** Most series of one metric name (default 100 000; 0: no limit); same rejection. */
  readonly maxSeriesPerMetric?: number;
  /** Build the 5m and 1h tiers in the background (default true). */
  readonly downsample?: boolean;
  /** Receives warnings (a cut log tail, a failed background run, …); default `console.warn`. */
  readonly warn?: (message: string) => void;
  /**
   * The lowest log segment a reader of the log still needs (remote-write forwarding, `remote/`):
   * persistence and the replay at open keep the segments from it on, even once their samples are
   * persisted. Default: none (`Infinity`). Asked at open and at every persistence.
   */
  readonly walRetain?: () => number;
}

export type ResolvedOptions = Required<DBOptions>;

export const DB_DEFAULTS: Omit<ResolvedOptions, 'dir'> = {
  walRetain: () => Number.POSITIVE_INFINITY,
  walFsync: 'interval',
  walFsyncIntervalMs: 1000,
  walSegmentBytes: 64 << 20,
  maxFutureMs: 10 * MINUTE,
  persistIntervalMs: 60 * MINUTE,
  walMaxBytes: 128 << 20,
  retentionRawMs: 15 * DAY,
  retention5mMs: 90 * DAY,
  retention1hMs: 365 * DAY,
  maxStorageBytes: 1 << 30,
  maxSeries: 1_000_000,
  maxSeriesPerMetric: 100_000,
  downsample: true,
  warn: (m) => console.warn(m),
};

/** The options with every default filled in (an explicit `undefined` also means the default). */
export function resolveOptions(o: DBOptions): ResolvedOptions {
  const out: Record<string, unknown> = { ...DB_DEFAULTS };
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as ResolvedOptions;
}
