/**
 * Persistence ("compaction" in the stats): moves the chunks the head cut since last time to the
 * chunk store, snapshots the open chunks, and truncates the write-ahead log, in this order:
 *
 * 1. the log moves to a new segment `n`: every sample committed so far is in segments below `n`;
 * 2. one store transaction writes the cut chunks (grouped into one row per series), the series not yet in the catalog, the open chunks and
 *    out-of-order samples of every series, metadata, and `wal_start = n`;
 * 3. the segments below `n` are deleted (but those a log reader still needs) and the persisted
 *    chunks dropped from memory.
 *
 * A crash before 2 commits leaves the old store and the whole log; after it, the store and the
 * log from `n`, and the next start deletes leftover older segments unread. Either way every
 * committed sample is found exactly once. In the background, step 2 is written in slices (see
 * `steps`), so commits interleave with it; they go to segment `n` and later.
 */

import { ChunkEncoder, ChunkHeader } from '../chunkenc/index.js';
import type { Head } from '../head/head.js';
import type { MemChunk, MemSeries } from '../head/series.js';
import type { Wal } from '../wal/wal.js';
import { encodeChunkSeq } from './codec.js';
import { type ChunkRow, type ChunkStore, ROW_MAX_SPAN_MS } from './store.js';

/** Series per slice of a background persistence (one SQLite transaction each). */
const SLICE = 250;

export interface PersistResult {
  readonly rows: number;
  readonly chunks: number;
  readonly samples: number;
  readonly ms: number;
}

export class Persister {
  private readonly enc = new ChunkEncoder();
  private readonly hdr = new ChunkHeader();
  private seq: number;

  constructor(
    private readonly head: Head,
    private readonly wal: Wal,
    private readonly store: ChunkStore,
    /** The lowest segment a log reader still needs (see `DBOptions.walRetain`). */
    private readonly retain: () => number,
  ) {
    this.seq = store.getMeta('seq') ?? 0;
  }

  /** One whole persistence, synchronously (shutdown, tests, benchmarks). */
  run(): PersistResult {
    const steps = this.steps(Number.POSITIVE_INFINITY);
    let r = steps.next();
    while (!r.done) r = steps.next();
    return r.value;
  }

  /**
   * The persistence as steps, for the background: the caller yields to the event loop between
   * slices of `slice` series, so that no request waits behind it. Taken at once (no yield): the log's new segment `n`, and what to
   * write, each series' cut chunks and a snapshot of its open chunk and out-of-order samples, so
   * that everything committed before is in it and everything after is in segments from `n`.
   * Then the raw rows are written slice by slice, each slice a transaction with this run's `seq`;
   * the last transaction writes the head snapshot (built slice by slice into `head_next`), new
   * series, metadata, `seq` and `wal_start`. A crash before that leaves rows with a `seq` above
   * the stored one, which the next open deletes (`ChunkStore.dropUncommitted`): the log still
   * holds their samples. Reads meanwhile find the chunks in memory, dropped only at the end.
   */
  *steps(slice = SLICE): Generator<void, PersistResult, void> {
    const start = performance.now();
    const walStart = this.wal.nextSegment();
    const seq = ++this.seq;
    // Copies only (no encoding) while nothing may interleave; encoded slice by slice below.
    const work: {
      s: MemSeries;
      closed: MemChunk[] | null;
      open: Uint8Array | null;
      oooT: Float64Array | null;
      oooV: Float64Array | null;
    }[] = [];
    for (const s of this.head.allSeries()) {
      if (!s.logged) continue;
      work.push({
        s,
        closed: s.closed !== null ? [...s.closed] : null,
        open: s.open !== null && s.open.count > 0 ? s.open.bytes().slice() : null,
        oooT: s.oooN > 0 ? s.oooT!.slice(0, s.oooN) : null,
        oooV: s.oooN > 0 ? s.oooV!.slice(0, s.oooN) : null,
      });
    }
    const touched: { s: MemSeries; chunks: readonly MemChunk[]; mint: number; maxt: number }[] = [];
    let rowCount = 0;
    let chunkCount = 0;
    let samples = 0;
    this.store.beginHeadSnapshot();
    for (let from = 0; from < work.length; from += slice) {
      yield;
      const rows: ChunkRow[] = [];
      const snapshot: { ref: number; data: Uint8Array }[] = [];
      const newSeries: { ref: number; labels: MemSeries['labels'] }[] = [];
      const ranges: { ref: number; mint: number; maxt: number }[] = [];
      for (let i = from; i < Math.min(work.length, from + slice); i++) {
        const { s, closed, open, oooT, oooV } = work[i]!;
        if (!s.cataloged) newSeries.push({ ref: s.ref, labels: s.labels });
        const chunks: Uint8Array[] = [];
        if (open !== null) chunks.push(this.enc.recode(open) ?? open);
        if (oooT !== null && oooV !== null) chunks.push(this.enc.encode(oooT, oooV, oooT.length)!);
        if (chunks.length > 0) snapshot.push({ ref: s.ref, data: encodeChunkSeq(chunks) });
        if (closed === null) continue;
        const before = rows.length;
        this.rowsOf(s.ref, closed, rows);
        let mint = Number.POSITIVE_INFINITY;
        let maxt = Number.NEGATIVE_INFINITY;
        for (let k = before; k < rows.length; k++) {
          mint = Math.min(mint, rows[k]!.mint);
          maxt = Math.max(maxt, rows[k]!.maxt);
          samples += rows[k]!.samples;
        }
        chunkCount += closed.length;
        ranges.push({ ref: s.ref, mint, maxt });
        touched.push({ s, chunks: closed, mint, maxt });
      }
      rowCount += rows.length;
      this.store.writeSlice({ seq, rows, head: snapshot, newSeries, ranges });
    }
    this.store.commitPersist(seq, walStart, this.head.meta);
    this.wal.removeBefore(Math.min(walStart, this.retain()), walStart);
    for (const { s } of work) s.cataloged = true;
    for (const { s, chunks: done, mint, maxt } of touched) {
      // Chunks cut while the slices were written stay for the next persistence.
      s.closed = s.closed === null ? null : s.closed.filter((c) => !done.includes(c));
      if (s.closed !== null && s.closed.length === 0) s.closed = null;
      s.diskMinT = Math.min(s.diskMinT, mint);
      s.diskMaxT = Math.max(s.diskMaxT, maxt);
    }
    return { rows: rowCount, chunks: chunkCount, samples, ms: performance.now() - start };
  }

  /** Groups a series' cut chunks into rows of at most ROW_MAX_SPAN_MS. */
  private rowsOf(ref: number, closed: readonly MemChunk[], out: ChunkRow[]): void {
    const sorted = [...closed].sort((a, b) => a.mint - b.mint);
    let group: Uint8Array[] = [];
    let mint = 0;
    let maxt = 0;
    let n = 0;
    const flush = () => {
      if (group.length > 0) out.push({ series: ref, mint, maxt, samples: n, data: encodeChunkSeq(group) });
      group = [];
      n = 0;
    };
    for (const c of sorted) {
      if (group.length > 0 && Math.max(maxt, c.maxt) - mint > ROW_MAX_SPAN_MS.raw) flush();
      const bytes = c.bytes; // already in its smallest encoding (cut time)
      if (group.length === 0) {
        mint = c.mint;
        maxt = c.maxt;
      }
      maxt = Math.max(maxt, c.maxt);
      group.push(bytes);
      n += this.hdr.parse(bytes) ? this.hdr.count : 0;
    }
    flush();
  }
}
