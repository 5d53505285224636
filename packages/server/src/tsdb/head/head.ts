/**
 * The head of the database: every series with its recent samples in memory, the inverted index,
 * and metric metadata. It implements both contracts: {@link Appendable} for ingest and
 * {@link Queryable} for the query engine. Split over files by concern, as Prometheus does:
 * `head.ts` (state and lookups), `head_append.ts` (batches), `head_read.ts` (queries).
 */

import { type Labels, metricName } from '../../model/labels.js';
import { type MetricMetadata, sameFloatBits } from '../../model/sample.js';
import type { Appendable, Appender, Querier, Queryable, RejectReason } from '../../storage/types.js';
import { SeriesColumns } from './columns.js';
import { HeadAppender } from './head_append.js';
import { HeadQuerier } from './head_read.js';
import { OpenChunks } from './open_chunks.js';
import { Postings } from './postings.js';
import { MemSeries } from './series.js';
import { SeriesMap } from './series_map.js';
import { Symbols } from './symbols.js';

/** Counters the head keeps about itself (exported as `tinyobs_tsdb_*` self-metrics). */
export interface HeadStats {
  series: number;
  samplesAppended: number;
  outOfOrderAccepted: number;
  tooOldRejected: number;
  tooFarFutureRejected: number;
  duplicatesRejected: number;
  seriesLimitRejected: number;
}

/** Read access to the persisted chunks of a series, for queries that span memory and disk. */
export interface PersistedChunks {
  /** Chunk bytes of series `ref` that may hold samples in [mint, maxt], oldest first. */
  chunks(ref: number, mint: number, maxt: number): Uint8Array[];
  /** The persisted value of series `ref` at exactly `t` (the one a read returns), or undefined. */
  valueAt(ref: number, t: number): number | undefined;
}

/** Where committed batches go before they become visible: the write-ahead log. */
export interface HeadLog {
  /** Writes the records as one unit; throws a StorageError when it cannot. */
  write(payloads: readonly Uint8Array[]): void;
  /** Resolves once what was written is as durable as the fsync policy promises. */
  durable(): Promise<void>;
}

export interface HeadOptions {
  /**
   * How far behind the newest sample of the head (at most the wall clock) a sample may be and
   * still be stored, in ms, whatever its series (default: no limit). The database passes its raw
   * retention: anything raw retention keeps is accepted, in or out of order.
   */
  readonly retentionMs?: number;
  /** How far ahead of the wall clock a sample may be, in ms (default 10 min). */
  readonly maxFutureMs?: number;
  /** Most series in total; new ones beyond are rejected `too_many_series` (0: no limit). */
  readonly maxSeries?: number;
  /** Most series of one metric name; new ones beyond are rejected `too_many_series` (0: no limit). */
  readonly maxSeriesPerMetric?: number;
  readonly log?: HeadLog;
}

/** Default of {@link HeadOptions.maxFutureMs}: clock skew between clients and the server. */
export const DEFAULT_MAX_FUTURE_MS = 10 * 60_000;

/** The verdict on one sample: stored in order, stored out of order, no-op retry, or a reject. */
export type SampleVerdict = 'in_order' | 'out_of_order_ok' | 'same_duplicate' | RejectReason;

export class Head implements Appendable, Queryable {
  /** Series by ref; refs are dense from 1, so index 0 stays empty. */
  private readonly byRef: (MemSeries | undefined)[] = [undefined];
  private readonly byLabels = new SeriesMap();
  private readonly seriesPerMetric = new Map<string, number>();
  private readonly symbols = new Symbols();
  readonly postings = new Postings();
  readonly meta = new Map<string, MetricMetadata>();
  readonly stats: HeadStats = {
    series: 0,
    samplesAppended: 0,
    outOfOrderAccepted: 0,
    tooOldRejected: 0,
    tooFarFutureRejected: 0,
    duplicatesRejected: 0,
    seriesLimitRejected: 0,
  };
  readonly retentionMs: number;
  readonly maxFutureMs: number;
  /**
   * Samples before this time are refused whatever the retention says: raw data there is deleted
   * and its downsampled buckets are final (the database raises it after retention).
   */
  floor = Number.NEGATIVE_INFINITY;
  readonly maxSeries: number;
  readonly maxSeriesPerMetric: number;
  readonly log: HeadLog | null;
  /** Newest timestamp stored in any series. */
  maxTime = Number.NEGATIVE_INFINITY;
  /** Per-series state a commit reads for every sample, by ref (see columns.ts). */
  readonly columns = new SeriesColumns();
  /** Every series' open chunk, by ref (see open_chunks.ts). */
  private readonly open = new OpenChunks();
  /** Series not yet in the write-ahead log (see {@link unlogged}). */
  private unloggedCount = 0;
  /** Chunks already on disk, when the head belongs to a database (null: memory only). */
  persisted: PersistedChunks | null = null;

  constructor(options: HeadOptions = {}) {
    this.retentionMs = options.retentionMs ?? Number.POSITIVE_INFINITY;
    this.maxFutureMs = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    this.maxSeries = options.maxSeries ?? 0;
    this.maxSeriesPerMetric = options.maxSeriesPerMetric ?? 0;
    this.log = options.log ?? null;
  }

  appender(): Appender {
    return new HeadAppender(this);
  }

  querier(mint: number, maxt: number): Querier {
    return new HeadQuerier(this, mint, maxt);
  }

  /** The series with exactly these labels, or undefined. */
  lookup(labels: Labels): MemSeries | undefined {
    return this.byLabels.get(labels);
  }

  seriesByRef(ref: number): MemSeries | undefined {
    return this.byRef[ref];
  }

  /** Every series, by ascending ref. */
  *allSeries(): Generator<MemSeries> {
    for (const s of this.byRef) if (s !== undefined) yield s;
  }

  /**
   * Returns the series for the labels, creating and indexing it when new; undefined when a new
   * series would exceed a series limit.
   */
  getOrCreate(labels: Labels): MemSeries | undefined {
    const s = this.byLabels.get(labels);
    if (s !== undefined) return s;
    if (this.maxSeries > 0 && this.stats.series >= this.maxSeries) return undefined;
    if (this.maxSeriesPerMetric > 0 && this.seriesCount(metricName(labels)) >= this.maxSeriesPerMetric) {
      return undefined;
    }
    return this.add(this.byRef.length, labels);
  }

  /** Re-creates a series under the ref it had before a restart (from the log or the catalog). */
  restore(ref: number, labels: Labels): MemSeries {
    const existing = this.byRef[ref];
    if (existing !== undefined) return existing;
    const s = this.add(ref, labels);
    this.markLogged(s);
    return s;
  }

  /**
   * The earliest timestamp any series accepts now (older samples are 'too_old'): the newest
   * sample of the head (at most the wall clock: data time, as retention uses) minus the
   * retention, and never before {@link floor}. It only ever moves forward, which is what lets
   * downsampling treat older windows as final.
   */
  minValidTime(): number {
    const now = Math.min(this.maxTime, Date.now());
    const byRetention = Number.isFinite(now) ? now - this.retentionMs : Number.NEGATIVE_INFINITY;
    return Math.max(byRetention, this.floor);
  }

  /** The latest timestamp any series accepts now (newer samples are 'too_far_future'). */
  maxValidTime(): number {
    return Date.now() + this.maxFutureMs;
  }

  /** Series not yet in the write-ahead log: while there are none, a commit need not look for them. */
  get unlogged(): number {
    return this.unloggedCount;
  }

  /** Records that the log holds the series' record. */
  markLogged(s: MemSeries): void {
    if (s.logged) return;
    s.logged = true;
    this.unloggedCount--;
  }

  /**
   * What storing (t, v) in the series `ref` would do now. Reaches the series object only for a
   * sample not newer than the series' newest.
   */
  verdict(ref: number, t: number, v: number, minValid: number, maxValid: number): SampleVerdict {
    // Future samples are judged first so that they can never become a series' newest.
    if (t > maxValid) return 'too_far_future';
    if (t < minValid) return 'too_old';
    const newest = this.columns.newest[ref]!;
    if (t > newest) return 'in_order';
    if (t === newest)
      return sameFloatBits(v, this.columns.lastValue[ref]!) ? 'same_duplicate' : 'duplicate_timestamp';
    const s = this.byRef[ref]!;
    let stored = s.valueAt(t);
    if (stored === undefined && this.persisted !== null && t >= s.diskMinT && t <= s.diskMaxT) {
      stored = this.persisted.valueAt(s.ref, t);
    }
    if (stored !== undefined) return sameFloatBits(v, stored) ? 'same_duplicate' : 'duplicate_timestamp';
    return 'out_of_order_ok';
  }

  /**
   * Stores a sample of series `ref` that {@link verdict} accepted (or that the log replays). The
   * usual one, newer than the series' newest and fitting its open chunk, reaches no object of
   * its series (see open_chunks.ts).
   */
  store(ref: number, t: number, v: number): void {
    const { columns, open } = this;
    if (t > columns.newest[ref]!) {
      if (open.fits(ref, t)) open.append(ref, t, v);
      else this.byRef[ref]!.appendRenewing(t, v);
      columns.newest[ref] = t;
      columns.lastValue[ref] = v;
    } else this.byRef[ref]!.appendOutOfOrder(t, v);
    if (t > this.maxTime) this.maxTime = t;
  }

  /** Number of series of one metric name. */
  seriesCount(metric: string): number {
    return this.seriesPerMetric.get(metric) ?? 0;
  }

  /** Series counts per metric name (for cardinality reports). */
  seriesCountsByMetric(): ReadonlyMap<string, number> {
    return this.seriesPerMetric;
  }

  private add(ref: number, given: Labels): MemSeries {
    const labels = this.symbols.intern(given);
    this.open.ensure(ref);
    const s = new MemSeries(ref, labels, this.open);
    while (this.byRef.length <= ref) this.byRef.push(undefined);
    this.byRef[ref] = s;
    this.columns.ensure(ref);
    this.unloggedCount++;
    this.byLabels.add(s);
    this.postings.add(ref, labels);
    const name = metricName(labels);
    this.seriesPerMetric.set(name, (this.seriesPerMetric.get(name) ?? 0) + 1);
    this.stats.series++;
    return s;
  }
}
