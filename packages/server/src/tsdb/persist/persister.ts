/**
 * Persistence ("compaction" in the stats): moves the chunks the head cut since last time to the
 * chunk store, snapshots the open chunks, and truncates the write-ahead log, in this order:
 *
 * 1. the log moves to a new segment `n`: every sample committed so far is in segments below `n`;
 * 2. one store transaction writes the cut chunks (grouped into one row per series; out-of-order
 *    data merged with the rows it overlaps, see `merge.ts`), the series not yet in the catalog, the
 *    open chunks and the out-of-order samples within their range, metadata, and `wal_start = n`;
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
import { lowerBound, type MemChunk, type MemSeries } from '../head/series.js';
import type { Wal } from '../wal/wal.js';
import { encodeChunkSeq } from './codec.js';
import { inOrder, mergeWithDisk } from './merge.js';
import { type ChunkRow, type ChunkStore, ROW_MAX_BYTES, ROW_MAX_SPAN_MS, type StoredRow } from './store.js';

/** Series per slice of a background persistence (one SQLite transaction each). */
const SLICE = 250;

/** What one persistence takes of a series, copied at its start. */
interface Work {
  readonly s: MemSeries;
  /** Its cut chunks (a copy of the list). */
  readonly closed: MemChunk[] | null;
  /** The open chunk's first timestamp and sample count (0: none). */
  readonly openMin: number;
  readonly openCount: number;
  /** Out-of-order samples older than the open chunk: to rows. */
  readonly lateT: Float64Array | null;
  readonly lateV: Float64Array | null;
  /** Out-of-order samples within the open chunk's range: to the head snapshot. */
  readonly oooT: Float64Array | null;
  readonly oooV: Float64Array | null;
}

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
    // Copies only (no encoding) while nothing may interleave; encoded slice by slice below. An
    // open chunk is not copied: only appended to, its first `count` samples stay what they are
    // now (in the open chunk, or in the chunk it is cut into meanwhile). A copy of every open
    // chunk would double their memory while the persistence runs, and lengthen this stall.
    const work: Work[] = [];
    for (const s of this.head.allSeries()) {
      if (!s.logged) continue;
      const openCount = s.openCount();
      const openMin = openCount > 0 ? s.openMinTime() : Number.POSITIVE_INFINITY;
      // Out-of-order samples older than the open chunk go to rows, merged with what they overlap;
      // newer ones stay in memory (and in the snapshot) until the open chunk is cut, so that no
      // row ever overlaps the chunk that is still growing.
      const k = s.oooN > 0 ? lowerBound(s.oooT!, s.oooN, openMin) : 0;
      work.push({
        s,
        closed: s.closed !== null ? [...s.closed] : null,
        openMin: openCount > 0 ? openMin : 0,
        openCount,
        lateT: k > 0 ? s.oooT!.slice(0, k) : null,
        lateV: k > 0 ? s.oooV!.slice(0, k) : null,
        oooT: s.oooN > k ? s.oooT!.slice(k, s.oooN) : null,
        oooV: s.oooN > k ? s.oooV!.slice(k, s.oooN) : null,
      });
    }
    const touched: { w: Work; mint: number; maxt: number }[] = [];
    const replaced: StoredRow[] = [];
    let rowCount = 0;
    let chunkCount = 0;
    let samples = 0;
    this.store.beginHeadSnapshot();
    try {
      for (let from = 0; from < work.length; from += slice) {
        yield;
        const rows: ChunkRow[] = [];
        const snapshot: { ref: number; data: Uint8Array }[] = [];
        const newSeries: { ref: number; labels: MemSeries['labels'] }[] = [];
        const ranges: { ref: number; mint: number; maxt: number }[] = [];
        for (let i = from; i < Math.min(work.length, from + slice); i++) {
          const w = work[i]!;
          const { s, oooT, oooV, lateT, lateV } = w;
          if (!s.cataloged) newSeries.push({ ref: s.ref, labels: s.labels });
          const chunks: Uint8Array[] = [];
          if (w.openCount > 0) chunks.push(this.openSnapshot(w));
          if (oooT !== null && oooV !== null) chunks.push(this.enc.encode(oooT, oooV, oooT.length)!);
          if (chunks.length > 0) snapshot.push({ ref: s.ref, data: encodeChunkSeq(chunks) });
          const mem = w.closed !== null ? [...w.closed] : [];
          if (lateT !== null && lateV !== null) {
            mem.push({
              bytes: this.enc.encode(lateT, lateV, lateT.length)!,
              mint: lateT[0]!,
              maxt: lateT.at(-1)!,
            });
          }
          if (mem.length === 0) continue;
          const before = rows.length;
          if (inOrder(mem, s.diskMaxT)) this.rowsOf(s.ref, mem, rows);
          else {
            const m = mergeWithDisk(this.store, s.ref, mem, this.enc, { mint: s.diskMinT, maxt: s.diskMaxT });
            rows.push(...m.rows);
            for (const r of m.replaced) {
              replaced.push(r);
              samples -= r.samples;
            }
          }
          let mint = Number.POSITIVE_INFINITY;
          let maxt = Number.NEGATIVE_INFINITY;
          for (let k = before; k < rows.length; k++) {
            mint = Math.min(mint, rows[k]!.mint);
            maxt = Math.max(maxt, rows[k]!.maxt);
            samples += rows[k]!.samples;
          }
          chunkCount += mem.length;
          ranges.push({ ref: s.ref, mint, maxt });
          touched.push({ w, mint, maxt });
        }
        rowCount += rows.length;
        this.store.writeSlice({ seq, rows, head: snapshot, newSeries, ranges });
      }
      this.store.commitPersist(seq, walStart, this.head.meta, replaced);
    } catch (err) {
      // Rows of this run would otherwise count as committed by the next run's `seq`. (When the
      // store itself failed, the next open drops them instead.)
      try {
        this.store.dropUncommitted();
      } catch {}
      throw err;
    }
    this.wal.removeBefore(Math.min(walStart, this.retain()), walStart);
    for (const { s } of work) s.cataloged = true;
    for (const { w, mint, maxt } of touched) {
      const s = w.s;
      // Chunks cut while the slices were written stay for the next persistence.
      const done = w.closed;
      if (done !== null && s.closed !== null) {
        s.closed = s.closed.filter((c) => !done.includes(c));
        if (s.closed.length === 0) s.closed = null;
      }
      if (w.lateT !== null) s.forgetOutOfOrder(w.lateT);
      s.diskMinT = Math.min(s.diskMinT, mint);
      s.diskMaxT = Math.max(s.diskMaxT, maxt);
    }
    return { rows: rowCount, chunks: chunkCount, samples, ms: performance.now() - start };
  }

  /** The open chunk of `w.s` as it was when the persistence started, in its smallest encoding. */
  private openSnapshot(w: Work): Uint8Array {
    const s = w.s;
    const bytes =
      s.openCount() >= w.openCount && s.openMinTime() === w.openMin
        ? s.openBytes()
        : s.closed?.find((c) => c.mint === w.openMin)?.bytes;
    const out = bytes !== undefined ? this.enc.recode(bytes, w.openCount) : null;
    if (out === null) throw new Error(`series ${w.s.ref}: the open chunk of the persistence's start is gone`);
    return out;
  }

  /** Groups a series' cut chunks into rows of at most ROW_MAX_SPAN_MS and ROW_MAX_BYTES. */
  private rowsOf(ref: number, closed: readonly MemChunk[], out: ChunkRow[]): void {
    const sorted = [...closed].sort((a, b) => a.mint - b.mint);
    let group: Uint8Array[] = [];
    let mint = 0;
    let maxt = 0;
    let n = 0;
    let size = 0;
    const flush = () => {
      if (group.length > 0) out.push({ series: ref, mint, maxt, samples: n, data: encodeChunkSeq(group) });
      group = [];
      n = 0;
      size = 0;
    };
    for (const c of sorted) {
      if (group.length > 0 && Math.max(maxt, c.maxt) - mint > ROW_MAX_SPAN_MS.raw) flush();
      if (group.length > 0 && size + c.bytes.length + 3 > ROW_MAX_BYTES) flush();
      size += c.bytes.length + 3;
      const bytes = c.bytes; // in its smallest encoding (DB waits for the re-encoding first)
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
