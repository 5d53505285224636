/**
 * The persisted part of the database: one SQLite file (better-sqlite3) holding the series
 * catalog, the chunks of every tier, the head's open chunks at the last persistence, metadata,
 * and the log position that persistence reached (see FORMAT.md). SQLite was chosen by
 * measurement (tsdb/README.md): its transactions make "chunks written, log position moved"
 * atomic without a hand-made manifest, its B-tree index keeps memory flat however long the
 * retention, and the per-row overhead stays within the bytes-per-sample budget because a row holds
 * every chunk one series cut between two persistences.
 *
 * Chunk tables are partitioned by time (one table per day of raw data, per week of 5m data, per
 * four weeks of 1h data), so that retention and the size budget drop whole tables instead of
 * scanning for old rows.
 */

import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Labels } from '../../model/labels.js';
import type { MetricMetadata, MetricType } from '../../model/sample.js';
import { StorageError } from '../../storage/errors.js';
import { decodeChunkSeq, decodeLabels, encodeLabels, Symbols } from './codec.js';

export type Tier = 'raw' | '5m' | '1h';
export const TIERS: readonly Tier[] = ['raw', '5m', '1h'];

/** Time span of one partition table per tier. */
export const PARTITION_MS: Readonly<Record<Tier, number>> = {
  raw: 86_400_000,
  '5m': 7 * 86_400_000,
  '1h': 28 * 86_400_000,
};

/** Longest time one row may span per tier; reads look back this far for rows starting earlier. */
export const ROW_MAX_SPAN_MS: Readonly<Record<Tier, number>> = {
  raw: 4 * 3_600_000,
  '5m': 6 * 3_600_000,
  '1h': 3 * 86_400_000,
};

/**
 * Most bytes of chunk data one raw row gets (a single larger chunk gets a row of its own). Chunk
 * tables are `WITHOUT ROWID`, i.e. index B-trees, where a record of more than ~1 000 bytes (with
 * 4 KiB pages) keeps only ~490 of them in the page and the rest in overflow pages of its own: a
 * 1.2 KiB row then took 4.5 KiB of file. Rows of the default workload stay far below; rows of
 * full-precision values (4–7 bytes a sample) did not, and took twice their bytes on disk.
 */
export const ROW_MAX_BYTES = 960;

/** One row of a chunk table: the chunks of one series over [mint, maxt]. */
export interface ChunkRow {
  readonly series: number;
  readonly mint: number;
  readonly maxt: number;
  readonly samples: number;
  readonly data: Uint8Array;
}

/** The primary key of a raw row, and what it holds (for rewriting it, see `merge.ts`). */
export interface StoredRow extends ChunkRow {
  readonly seq: number;
}

/** One slice of a persistence (one transaction). */
export interface PersistSlice {
  readonly seq: number;
  readonly rows: readonly ChunkRow[];
  /** Open chunks and out-of-order samples per series (into the next head snapshot). */
  readonly head: readonly { ref: number; data: Uint8Array }[];
  readonly newSeries: readonly { ref: number; labels: Labels }[];
  /** New persisted time range of series that got rows. */
  readonly ranges: readonly { ref: number; mint: number; maxt: number }[];
}

const tableName = (tier: Tier, p: number) => `c_${tier}_${p}`;

export class ChunkStore {
  readonly symbols = new Symbols();
  /** Rows whose blob could not be split into chunks (skipped by reads). */
  corruptRows = 0;
  private readonly partitions: Record<Tier, number[]> = { raw: [], '5m': [], '1h': [] };
  private readonly selects = new Map<string, Database.Statement>();
  private readonly inserts = new Map<string, Database.Statement>();
  /** Incremented by every change of raw rows (readers caching what they read compare it). */
  writes = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {
    for (const name of db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'c\\_%' ESCAPE '\\'")
      .pluck()
      .all() as string[]) {
      const m = /^c_(raw|5m|1h)_(-?\d+)$/.exec(name);
      if (m) this.partitions[m[1] as Tier].push(Number(m[2]));
    }
    for (const t of TIERS) this.partitions[t].sort((a, b) => a - b);
  }

  static open(path: string): ChunkStore {
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      throw new StorageError('storage_io', `cannot open the chunk store ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // auto_vacuum must be set before the first table exists; on an existing file it is a no-op.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // FULL: a committed persistence survives a power cut, because the log segments it replaces
    // are deleted right after the commit.
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS symbols (id INTEGER PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, labels BLOB NOT NULL, mint INTEGER, maxt INTEGER);
      CREATE TABLE IF NOT EXISTS head (series INTEGER PRIMARY KEY, data BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS metadata (metric TEXT PRIMARY KEY, type TEXT NOT NULL, help TEXT NOT NULL, unit TEXT NOT NULL) WITHOUT ROWID;
    `);
    const store = new ChunkStore(db, path);
    for (const r of db.prepare('SELECT id, value FROM symbols').raw().all() as [number, string][]) {
      store.symbols.load(r[0], r[1]);
    }
    return store;
  }

  getMeta(key: string): number | undefined {
    return this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as number | undefined;
  }

  setMeta(key: string, value: number): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** Calls `fn` for every cataloged series with its persisted raw time range (null if none). */
  loadCatalog(fn: (ref: number, labels: Labels, mint: number | null, maxt: number | null) => void): void {
    for (const r of this.db.prepare('SELECT id, labels, mint, maxt FROM series').raw().iterate() as Iterable<
      [number, Buffer, number | null, number | null]
    >) {
      fn(r[0], decodeLabels(r[1], this.symbols), r[2], r[3]);
    }
  }

  /** Calls `fn` with each series' chunks of the head snapshot. */
  loadHead(fn: (ref: number, chunks: Uint8Array[]) => void): void {
    for (const r of this.db.prepare('SELECT series, data FROM head').raw().iterate() as Iterable<
      [number, Buffer]
    >) {
      fn(r[0], decodeChunkSeq(r[1]));
    }
  }

  loadMetadata(): Map<string, MetricMetadata> {
    const out = new Map<string, MetricMetadata>();
    for (const r of this.db
      .prepare('SELECT metric, type, help, unit FROM metadata')
      .raw()
      .all() as string[][]) {
      out.set(r[0]!, { type: r[1] as MetricType, help: r[2]!, unit: r[3]! });
    }
    return out;
  }

  /** Raw chunks of series `ref` that may hold samples in [mint, maxt], oldest first. */
  chunks(ref: number, mint: number, maxt: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const blob of this.rows('raw', ref, mint, maxt)) {
      const before = out.length;
      try {
        decodeChunkSeq(blob, out);
      } catch {
        // A damaged row loses its own chunks only; reads go on and the damage is counted.
        out.length = before;
        this.corruptRows++;
      }
    }
    return out;
  }

  /** Row blobs of a tier for series `ref` overlapping [mint, maxt], oldest first. */
  rows(tier: Tier, ref: number, mint: number, maxt: number): Buffer[] {
    const from = mint - ROW_MAX_SPAN_MS[tier];
    const out: Buffer[] = [];
    for (const p of this.partitionsFor(tier, mint, maxt)) {
      const name = tableName(tier, p);
      let st = this.selects.get(name);
      if (st === undefined) {
        st = this.db
          .prepare(
            `SELECT data FROM ${name} WHERE series = ? AND mint >= ? AND mint <= ? AND maxt >= ? ORDER BY mint, seq`,
          )
          .pluck();
        this.selects.set(name, st);
      }
      for (const b of st.all(ref, from, maxt, mint) as Buffer[]) out.push(b);
    }
    return out;
  }

  /** The raw rows of series `ref` that overlap [mint, maxt], with their keys, by (mint, seq). */
  rawRows(ref: number, mint: number, maxt: number): StoredRow[] {
    const out: StoredRow[] = [];
    for (const p of this.partitionsFor('raw', mint, maxt)) {
      const st = this.db.prepare(
        `SELECT mint, seq, maxt, samples, data FROM ${tableName('raw', p)} ` +
          'WHERE series = ? AND mint >= ? AND mint <= ? AND maxt >= ? ORDER BY mint, seq',
      );
      for (const r of st.raw().all(ref, mint - ROW_MAX_SPAN_MS.raw, maxt, mint) as [
        number,
        number,
        number,
        number,
        Buffer,
      ][]) {
        out.push({ series: ref, mint: r[0], seq: r[1], maxt: r[2], samples: r[3], data: r[4] });
      }
    }
    return out;
  }

  /** Starts the head snapshot of a persistence: `head_next`, filled by {@link writeSlice}. */
  beginHeadSnapshot(): void {
    this.db.exec(
      'DROP TABLE IF EXISTS head_next; CREATE TABLE head_next (series INTEGER PRIMARY KEY, data BLOB NOT NULL)',
    );
  }

  /**
   * One slice of a persistence, in one transaction: raw rows (under `seq`), head snapshot rows,
   * new symbols and series, persisted ranges. Series and ranges written by a persistence that
   * then does not commit are harmless: the log restores the same series under the same refs, and
   * a range is an upper bound anyway (retention narrows data, not ranges).
   */
  writeSlice(b: PersistSlice): void {
    const db = this.db;
    db.transaction(() => {
      const encoded = b.newSeries.map((s) => encodeLabels(s.labels, this.symbols));
      const insSym = db.prepare('INSERT INTO symbols (id, value) VALUES (?, ?)');
      for (const id of this.symbols.takeNew()) insSym.run(id, this.symbols.values[id]);
      const insSeries = db.prepare(
        'INSERT OR REPLACE INTO series (id, labels, mint, maxt) VALUES (?, ?, NULL, NULL)',
      );
      for (let i = 0; i < b.newSeries.length; i++) insSeries.run(b.newSeries[i]!.ref, encoded[i]);
      const range = db.prepare(
        'UPDATE series SET mint = min(coalesce(mint, ?), ?), maxt = max(coalesce(maxt, ?), ?) WHERE id = ?',
      );
      for (const r of b.ranges) range.run(r.mint, r.mint, r.maxt, r.maxt, r.ref);
      this.insertRows('raw', b.seq, b.rows);
      const ins = db.prepare('INSERT OR REPLACE INTO head_next (series, data) VALUES (?, ?)');
      for (const h of b.head) ins.run(h.ref, h.data);
    })();
  }

  /**
   * The last transaction of a persistence: the rows its merged rows replace deleted, the head
   * snapshot swapped in, metadata, `seq` and `wal_start`. Until it commits, the slices' rows are
   * not part of the store (see {@link dropUncommitted}) and the replaced rows are all still there.
   */
  commitPersist(
    seq: number,
    walStart: number,
    metadata: ReadonlyMap<string, MetricMetadata>,
    replaced: readonly StoredRow[] = [],
  ): void {
    const db = this.db;
    db.transaction(() => {
      if (replaced.length > 0) this.writes++;
      const deletes = new Map<number, Database.Statement>();
      for (const r of replaced) {
        const p = Math.floor(r.mint / PARTITION_MS.raw);
        let del = deletes.get(p);
        if (del === undefined) {
          del = db.prepare(`DELETE FROM ${tableName('raw', p)} WHERE series = ? AND mint = ? AND seq = ?`);
          deletes.set(p, del);
        }
        del.run(r.series, r.mint, r.seq);
      }
      db.exec('DROP TABLE head; ALTER TABLE head_next RENAME TO head');
      const insMeta = db.prepare(
        'INSERT OR REPLACE INTO metadata (metric, type, help, unit) VALUES (?, ?, ?, ?)',
      );
      for (const [m, md] of metadata) insMeta.run(m, md.type, md.help, md.unit);
      this.setMeta('seq', seq);
      this.setMeta('wal_start', walStart);
    })();
  }

  /**
   * Deletes the raw rows of a persistence that did not commit (a crash between its slices): their
   * samples are still in the log. Called at open.
   */
  dropUncommitted(): void {
    const seq = this.getMeta('seq') ?? 0;
    for (const p of this.partitions.raw)
      this.db.prepare(`DELETE FROM ${tableName('raw', p)} WHERE seq > ?`).run(seq);
    this.db.exec('DROP TABLE IF EXISTS head_next');
  }

  /** Writes rows of a downsampled tier and a progress mark, atomically; rows replace equal keys. */
  commitTier(
    tier: Tier,
    seq: number,
    rows: readonly ChunkRow[],
    progressKey: string,
    progress: number,
  ): void {
    this.db.transaction(() => {
      this.insertRows(tier, seq, rows);
      this.setMeta(progressKey, progress);
    })();
  }

  /** The partitions of a tier that may hold rows overlapping [mint, maxt]. */
  private partitionsFor(tier: Tier, mint: number, maxt: number): number[] {
    const from = mint - ROW_MAX_SPAN_MS[tier];
    return this.partitions[tier].filter(
      (p) => (p + 1) * PARTITION_MS[tier] > from && p * PARTITION_MS[tier] <= maxt,
    );
  }

  /** Partition indexes of a tier, ascending. */
  partitionsOf(tier: Tier): readonly number[] {
    return this.partitions[tier];
  }

  /** Deletes a whole partition table. */
  dropPartition(tier: Tier, p: number): void {
    this.writes++;
    const name = tableName(tier, p);
    this.db.exec(`DROP TABLE IF EXISTS ${name}`);
    this.selects.delete(name);
    this.inserts.delete(name);
    const list = this.partitions[tier];
    list.splice(list.indexOf(p), 1);
  }

  /** Deletes the rows of a tier that end before `t` (within the partitions that may hold them). */
  deleteBefore(tier: Tier, t: number): void {
    for (const p of [...this.partitions[tier]]) {
      if (p * PARTITION_MS[tier] >= t) break;
      if ((p + 1) * PARTITION_MS[tier] <= t - ROW_MAX_SPAN_MS[tier]) this.dropPartition(tier, p);
      else {
        this.writes++;
        this.db.prepare(`DELETE FROM ${tableName(tier, p)} WHERE maxt < ?`).run(t);
      }
    }
  }

  /** Samples and rows stored in a tier. */
  count(tier: Tier): { rows: number; samples: number } {
    let rows = 0;
    let samples = 0;
    for (const p of this.partitions[tier]) {
      const r = this.db
        .prepare(`SELECT count(*), coalesce(sum(samples), 0) FROM ${tableName(tier, p)}`)
        .raw()
        .get() as [number, number];
      rows += r[0];
      samples += r[1];
    }
    return { rows, samples };
  }

  /** Bytes in use: pages minus free pages (SQLite reuses those), plus SQLite's own log file. */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    let log = 0;
    try {
      log = statSync(`${this.path}-wal`).size;
    } catch {
      // no log file (checkpointed and removed)
    }
    return (pages - free) * pageSize + log;
  }

  /** Returns free pages to the file system and folds SQLite's log into the file. */
  vacuum(): void {
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * {@link vacuum} as steps (for the background): free pages go back `pages` at a time, then
   * the log is folded in; a checkpoint costs about the size of the last transactions.
   */
  *vacuumSteps(pages = 2048): Generator<void, void, void> {
    const free = () => this.db.pragma('freelist_count', { simple: true }) as number;
    // Stops when nothing more goes (a file made without auto_vacuum keeps its free pages).
    for (let n = free(), last = Number.POSITIVE_INFINITY; n > 0 && n < last; last = n, n = free()) {
      this.db.pragma(`incremental_vacuum(${pages})`);
      yield;
    }
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }

  private insertRows(tier: Tier, seq: number, rows: readonly ChunkRow[]): void {
    this.writes++;
    for (const r of rows) {
      const p = Math.floor(r.mint / PARTITION_MS[tier]);
      const name = tableName(tier, p);
      let st = this.inserts.get(name);
      if (st === undefined) {
        if (!this.partitions[tier].includes(p)) {
          this.db.exec(
            `CREATE TABLE IF NOT EXISTS ${name} (series INTEGER NOT NULL, mint INTEGER NOT NULL, seq INTEGER NOT NULL, ` +
              'maxt INTEGER NOT NULL, samples INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, mint, seq)) WITHOUT ROWID',
          );
          this.partitions[tier].push(p);
          this.partitions[tier].sort((a, b) => a - b);
        }
        st = this.db.prepare(
          `INSERT OR REPLACE INTO ${name} (series, mint, seq, maxt, samples, data) VALUES (?, ?, ?, ?, ?, ?)`,
        );
        this.inserts.set(name, st);
      }
      st.run(r.series, r.mint, seq, r.maxt, r.samples, r.data);
    }
  }
}
