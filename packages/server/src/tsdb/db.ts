/**
 * The embedded time-series database: the entry point that ties the stages of `tsdb/` together
 * (write-ahead log → head → persisted chunks → downsampled tiers). It knows nothing of HTTP,
 * JSON or PromQL. See README.md for the design and FORMAT.md files for the bytes.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../storage/errors.js';
import type { Appendable, Appender, Querier, Queryable } from '../storage/types.js';
import { restoreHead } from './db_open.js';
import { collectStats, type DBStats } from './db_stats.js';
import { Head } from './head/head.js';
import { type DBOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Persister, type PersistResult } from './persist/persister.js';
import { enforceBudget, enforceRetention } from './persist/retention.js';
import { ChunkStore } from './persist/store.js';
import type { WalReplayReport } from './wal/reader.js';
import { Wal } from './wal/wal.js';

export type { DBOptions } from './options.js';
export { DB_DEFAULTS } from './options.js';

/** Counters of background work, for the stats. */
export interface DBCounters {
  persists: number;
  persistedSamples: number;
  lastPersistMs: number;
  downsampleWindows: number;
  retentionRuns: number;
  budgetDeletions: number;
  walCorruptions: number;
  backgroundErrors: number;
}

export class DB implements Appendable, Queryable {
  readonly counters: DBCounters = {
    persists: 0,
    persistedSamples: 0,
    lastPersistMs: 0,
    downsampleWindows: 0,
    retentionRuns: 0,
    budgetDeletions: 0,
    walCorruptions: 0,
    backgroundErrors: 0,
  };
  private readonly persister: Persister;
  private readonly timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set while the size budget is exceeded and nothing could be freed; commits then fail. */
  private fullCheckedAt = 0;
  private persistScheduled = false;
  /** Bytes the chunk store used at the last persistence or maintenance (checked on every commit). */
  private storeBytes: number;

  private constructor(
    readonly options: ResolvedOptions,
    readonly head: Head,
    private readonly wal: Wal,
    readonly store: ChunkStore,
    /** What the write-ahead log replay found at open, including any cut tail. */
    readonly replay: WalReplayReport,
  ) {
    this.persister = new Persister(head, wal, store);
    this.storeBytes = store.usedBytes();
    if (replay.cut !== null) this.counters.walCorruptions++;
    if (options.persistIntervalMs > 0) {
      this.timer = setInterval(() => this.background(), options.persistIntervalMs);
      this.timer.unref();
    }
  }

  /** Opens (or creates) the database in `options.dir`, restoring everything committed before. */
  static async open(options: DBOptions): Promise<DB> {
    const o = resolveOptions(options);
    const walDir = join(o.dir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const store = ChunkStore.open(join(o.dir, 'tsdb.sqlite'));
    const ref: { db: DB | null } = { db: null };
    const head = new Head({
      oooWindowMs: o.oooWindowMs,
      log: {
        write: (payloads) => ref.db!.logWrite(payloads),
        durable: () => ref.db!.wal.durable(),
      },
    });
    head.persisted = store;
    const report = restoreHead(head, store, walDir);
    if (report.cut !== null) {
      const c = report.cut;
      o.warn(
        `tsdb: cut the write-ahead log at segment ${c.segment} offset ${c.offset} (${c.reason}): ` +
          `dropped ${c.bytesDropped} bytes and ${c.segmentsDropped} later segments; everything before is kept`,
      );
    }
    const wal = new Wal(walDir, {
      fsync: o.walFsync,
      fsyncIntervalMs: o.walFsyncIntervalMs,
      segmentSize: o.walSegmentBytes,
    });
    ref.db = new DB(o, head, wal, store, report);
    return ref.db;
  }

  appender(): Appender {
    if (this.closed) throw new StorageError('storage_closed', 'cannot append: the database is closed');
    return this.head.appender();
  }

  querier(mint: number, maxt: number): Querier {
    return this.head.querier(mint, maxt);
  }

  /**
   * Persists the chunks cut so far and the open chunks, and truncates the log. Runs on a timer
   * and when the log grows past `walMaxBytes`; callable directly (tests, benchmarks, shutdown).
   */
  persist(): PersistResult {
    const r = this.persister.run();
    this.counters.persists++;
    this.counters.persistedSamples += r.samples;
    this.counters.lastPersistMs = r.ms;
    this.storeBytes = this.store.usedBytes();
    return r;
  }

  /** One round of background work: persist, retention, size budget. */
  maintain(): void {
    this.persist();
    this.counters.retentionRuns++;
    enforceRetention(this.store, this.head, this.options);
    this.counters.budgetDeletions += enforceBudget(
      this.store,
      this.head,
      this.options.maxStorageBytes,
      this.wal.size,
    );
  }

  stats(): DBStats {
    return collectStats(this);
  }

  /** Bytes of the log on disk. */
  get walBytes(): number {
    return this.wal.size;
  }

  /** Persists what is in memory (so the next start replays nothing) and releases resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    try {
      this.persist();
    } catch (err) {
      this.options.warn(
        `tsdb: cannot persist at close (the log keeps everything): ${(err as Error).message}`,
      );
    }
    this.wal.close();
    this.store.close();
  }

  /** The head's log: checks the size budget, writes, and schedules a persistence when the log is long. */
  private logWrite(payloads: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const p of payloads) bytes += p.length + 8;
    if (this.storeBytes + this.wal.size + bytes > this.options.maxStorageBytes) this.makeRoom();
    this.wal.write(payloads);
    if (this.wal.size > this.options.walMaxBytes && !this.persistScheduled) {
      this.persistScheduled = true;
      setImmediate(() => {
        this.persistScheduled = false;
        if (!this.closed) this.background();
      });
    }
  }

  /** Frees space for a commit, or throws `storage_full` when nothing more can be freed. */
  private makeRoom(): void {
    const now = Date.now();
    // Maintenance is not cheap: try at most once a second while the disk stays full.
    if (now - this.fullCheckedAt > 1000) {
      this.fullCheckedAt = now;
      this.maintain();
      if (this.storeBytes + this.wal.size <= this.options.maxStorageBytes) return;
    }
    throw new StorageError(
      'storage_full',
      `cannot commit: the data directory uses ${this.store.usedBytes() + this.wal.size} bytes of its ` +
        `${this.options.maxStorageBytes}-byte budget and nothing older can be deleted`,
    );
  }

  private background(): void {
    if (this.closed) return;
    try {
      this.maintain();
    } catch (err) {
      this.counters.backgroundErrors++;
      this.options.warn(`tsdb: background maintenance failed (will retry): ${(err as Error).message}`);
    }
  }
}
