/**
 * The embedded time-series database: the entry point that ties the stages of `tsdb/` together
 * (write-ahead log → head → persisted chunks → downsampled tiers). It knows nothing of HTTP,
 * JSON or PromQL. See README.md for the design and FORMAT.md files for the bytes.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Labels } from '../model/labels.js';
import { StorageError } from '../storage/errors.js';
import type { StorageStats } from '../storage/stats.js';
import type { Appendable, Appender, Querier, Queryable } from '../storage/types.js';
import { restoreHead } from './db_open.js';
import { DBQuerier } from './db_query.js';
import { collectStats } from './db_stats.js';
import { Downsampler } from './downsample/downsampler.js';
import { splicePoints } from './downsample/splice_read.js';
import { Head } from './head/head.js';
import { HeadQuerier } from './head/head_read.js';
import { recoder } from './head/series.js';
import { acquireLock } from './lock.js';
import { type DBOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { PersistedReads } from './persist/lookup.js';
import { Persister, type PersistResult } from './persist/persister.js';
import {
  type BuildTiers,
  budgetSteps,
  enforceRetention,
  FLOOR_KEY,
  type RetentionCuts,
  retentionCuts,
} from './persist/retention.js';
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
  private readonly downsampler: Downsampler;
  /** The size budget's way to build tiers early (none without downsampling: raw is just deleted). */
  private readonly buildTiers: BuildTiers | null;
  /** Where retention cut raw data and the 5m tier: reads use tiers only before these. */
  private cuts: RetentionCuts;
  private readonly timer: NodeJS.Timeout | null = null;
  private readonly firstRun: NodeJS.Timeout | null = null;
  private closed = false;
  /** When a maintenance last failed to get under the size budget (commits then fail for 1 s). */
  private fullAt = 0;
  private persistScheduled = false;
  /** Log bytes kept after the last persistence for a log reader (they do not call for another). */
  private walRetainedBytes = 0;
  /** The background round in flight (persist, retention, budget), if any. */
  private housekeeping: Promise<void> | null = null;
  /** Bytes the chunk store used at the last persistence or maintenance (checked on every commit). */
  private storeBytes: number;

  private constructor(
    readonly options: ResolvedOptions,
    readonly head: Head,
    private readonly wal: Wal,
    readonly store: ChunkStore,
    /** What the write-ahead log replay found at open, including any cut tail. */
    readonly replay: WalReplayReport,
    private readonly unlock: () => void,
  ) {
    this.persister = new Persister(head, wal, store, options.walRetain);
    this.downsampler = new Downsampler(head, store, () => this.closed);
    this.buildTiers = options.downsample ? (upTo) => this.downsampler.steps(upTo) : null;
    this.storeBytes = store.usedBytes();
    if (replay.cut !== null) this.counters.walCorruptions++;
    this.cuts = retentionCuts(store, head, options);
    head.floor = Math.max(this.cuts.raw, store.getMeta(FLOOR_KEY) ?? Number.NEGATIVE_INFINITY);
    if (options.persistIntervalMs > 0) {
      this.timer = setInterval(() => this.background(), options.persistIntervalMs);
      this.timer.unref();
      // Catch up soon after a start (retention, downsampling of windows that became final while
      // the process was down) rather than a whole interval later.
      this.firstRun = setTimeout(() => this.background(), Math.min(10_000, options.persistIntervalMs));
      this.firstRun.unref();
    }
  }

  /** Opens (or creates) the database in `options.dir`, restoring everything committed before. */
  static async open(options: DBOptions): Promise<DB> {
    const o = resolveOptions(options);
    const walDir = join(o.dir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const unlock = acquireLock(o.dir);
    let store: ChunkStore | null = null;
    try {
      store = ChunkStore.open(join(o.dir, 'tsdb.sqlite'));
      const ref: { db: DB | null } = { db: null };
      const head = new Head({
        retentionMs: o.retentionRawMs,
        maxFutureMs: o.maxFutureMs,
        maxSeries: o.maxSeries,
        maxSeriesPerMetric: o.maxSeriesPerMetric,
        log: {
          write: (payloads) => ref.db!.logWrite(payloads),
          durable: () => ref.db!.wal.durable(),
        },
      });
      head.persisted = new PersistedReads(store);
      const report = restoreHead(head, store, walDir, o.walRetain());
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
      ref.db = new DB(o, head, wal, store, report, unlock);
      return ref.db;
    } catch (err) {
      // A failed open (unreadable store, bad log directory) leaves the directory to the next try.
      store?.close();
      unlock();
      throw err;
    }
  }

  appender(): Appender {
    if (this.closed) throw new StorageError('storage_closed', 'cannot append: the database is closed');
    return this.head.appender();
  }

  querier(mint: number, maxt: number): Querier {
    // Without tiers, ranges older than raw retention have nothing to fall back on: stay raw.
    const cuts = this.options.downsample
      ? this.cuts
      : { raw: Number.NEGATIVE_INFINITY, fiveMin: Number.NEGATIVE_INFINITY };
    return new DBQuerier(this.store, new HeadQuerier(this.head, mint, maxt), splicePoints(cuts), mint, maxt);
  }

  /**
   * Persists the chunks cut so far and the open chunks, and truncates the log, synchronously
   * (shutdown, tests, benchmarks; the timer uses {@link maintain}, in slices). Throws
   * `storage_unavailable` while a background persistence is running.
   */
  persist(): PersistResult {
    if (this.housekeeping !== null) {
      throw new StorageError(
        'storage_unavailable',
        'cannot persist now: a background persistence is running',
      );
    }
    const start = performance.now();
    // Cut chunks go to disk in their smallest encoding (see head/recoder.ts).
    recoder.finishNow();
    const run = this.persister.run();
    // Fold SQLite's own log into the file now, so it does not keep the size of this transaction.
    this.store.vacuum();
    return this.persisted(run, start);
  }

  /**
   * One round of background work, in slices that yield to the event loop between them (so no
   * request waits behind it): persist, vacuum, retention, size budget (making room for
   * `incomingBytes` more); then the downsampling of windows that became final. Resolves with
   * the number of windows downsampled. A round asked for while one runs joins it.
   */
  maintain(incomingBytes = 0): Promise<number> {
    if (this.housekeeping === null) {
      this.housekeeping = this.housekeep(incomingBytes).finally(() => {
        this.housekeeping = null;
      });
    }
    return this.housekeeping.then(() => this.downsample());
  }

  private async housekeep(incomingBytes: number): Promise<void> {
    // Cut chunks go to disk in their smallest encoding: wait for the re-encoding thread.
    await recoder.flushed();
    const start = performance.now();
    const run = await drain(this.persister.steps());
    await drain(this.store.vacuumSteps());
    this.persisted(run, start);
    await yieldToLoop();
    this.applyRetention();
    await yieldToLoop();
    this.budgetDone(await drain(this.budget(incomingBytes)));
  }

  /** The synchronous round {@link makeRoom} needs when a commit hits the budget. */
  private maintainNow(incomingBytes: number): void {
    this.persist();
    this.applyRetention();
    const steps = this.budget(incomingBytes);
    let r = steps.next();
    while (!r.done) r = steps.next();
    this.budgetDone(r.value);
    void this.downsample().catch((err) => this.backgroundFailed(err));
  }

  /** The size budget's deletions, making room for `incomingBytes` more (see retention.ts). */
  private budget(incomingBytes: number): Generator<void, number, void> {
    const walBytes = this.budgetedWalBytes + incomingBytes;
    return budgetSteps(this.store, this.head, this.options.maxStorageBytes, walBytes, this.buildTiers);
  }

  private budgetDone(deletions: number): void {
    this.counters.budgetDeletions += deletions;
    this.updateCuts();
    this.storeBytes = this.store.usedBytes();
  }

  private persisted(run: PersistResult, start: number): PersistResult {
    this.walRetainedBytes = this.wal.size;
    const r = { ...run, ms: performance.now() - start };
    this.counters.persists++;
    this.counters.persistedSamples += r.samples;
    this.counters.lastPersistMs = r.ms;
    this.storeBytes = this.store.usedBytes();
    return r;
  }

  private applyRetention(): void {
    this.counters.retentionRuns++;
    this.updateCuts(enforceRetention(this.store, this.head, this.options));
  }

  /** Moves the read splice and the head's floor forward to where data was deleted. */
  private updateCuts(cuts = retentionCuts(this.store, this.head, this.options)): void {
    this.cuts = {
      raw: Math.max(this.cuts.raw, cuts.raw),
      fiveMin: Math.max(this.cuts.fiveMin, cuts.fiveMin),
    };
    this.head.floor = Math.max(this.head.floor, this.cuts.raw);
  }

  /** Aggregates the windows that are final into the 5m and 1h tiers (see downsample/). */
  async downsample(): Promise<number> {
    if (!this.options.downsample) return 0;
    const n = await this.downsampler.run();
    this.counters.downsampleWindows += n;
    if (n > 0) this.storeBytes = this.store.usedBytes();
    return n;
  }

  stats(): StorageStats {
    return collectStats(this);
  }

  /**
   * Log bytes the size budget counts: all but the segments kept only for remote-write
   * forwarding (`walRetain`), which its maximum lag bounds instead, so that a target that is
   * down never makes the budget delete stored data.
   */
  private get budgetedWalBytes(): number {
    return this.wal.size - this.wal.readerOnlyBytes;
  }

  /** Bytes of the log on disk. */
  get walBytes(): number {
    return this.wal.size;
  }

  /** Where the log lives and the segment being written, for a reader of the log (`remote/`). */
  get walPosition(): { readonly dir: string; readonly segment: number } {
    return { dir: join(this.options.dir, 'wal'), segment: this.wal.currentSegment };
  }

  /** The labels of a series ref as the log's records use it (read-only; refs are never reused). */
  seriesLabels(ref: number): Labels | undefined {
    return this.head.seriesByRef(ref)?.labels;
  }

  /** Persists what is in memory (so the next start replays nothing) and releases resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.firstRun !== null) clearTimeout(this.firstRun);
    await this.housekeeping?.catch(() => {});
    try {
      this.persist();
    } catch (err) {
      this.options.warn(
        `tsdb: cannot persist at close (the log keeps everything): ${(err as Error).message}`,
      );
    }
    this.wal.close();
    this.store.close();
    this.unlock();
  }

  /** The head's log: checks the size budget, writes, and schedules a persistence when the log is long. */
  private logWrite(payloads: readonly Uint8Array[]): void {
    let bytes = 0;
    for (const p of payloads) bytes += p.length + 8;
    if (this.storeBytes + this.budgetedWalBytes + bytes > this.options.maxStorageBytes) this.makeRoom(bytes);
    this.wal.write(payloads);
    if (this.wal.size - this.walRetainedBytes > this.options.walMaxBytes && !this.persistScheduled) {
      this.persistScheduled = true;
      setImmediate(() => {
        this.persistScheduled = false;
        if (!this.closed) this.background();
      });
    }
  }

  /** Frees space for a commit, or throws `storage_full` when nothing more can be freed. */
  private makeRoom(bytes: number): void {
    const budget = this.options.maxStorageBytes;
    if (this.housekeeping !== null) {
      throw new StorageError(
        'storage_unavailable',
        'cannot commit: the data directory is at its size budget and a background run is freeing space; retry shortly',
      );
    }
    // After a maintenance that could not free enough, fail fast for a second instead of
    // running it again for every commit.
    if (Date.now() - this.fullAt > 1000) {
      this.maintainNow(bytes);
      if (this.storeBytes + this.budgetedWalBytes + bytes <= budget) return;
      this.fullAt = Date.now();
    }
    throw new StorageError(
      'storage_full',
      `cannot commit: the data directory uses ${this.storeBytes + this.budgetedWalBytes} bytes of its ` +
        `${budget}-byte budget and nothing older can be deleted`,
    );
  }

  private background(): void {
    if (this.closed) return;
    void this.maintain().catch((err) => this.backgroundFailed(err));
  }

  private backgroundFailed(err: unknown): void {
    if (this.closed) return;
    this.counters.backgroundErrors++;
    this.options.warn(`tsdb: background maintenance failed (will retry): ${(err as Error).message}`);
  }
}

/** Runs a step generator to its end, yielding to the event loop after each step. */
async function drain<T>(steps: Generator<void, T, void>): Promise<T> {
  let r = steps.next();
  while (!r.done) {
    await yieldToLoop();
    r = steps.next();
  }
  return r.value;
}
