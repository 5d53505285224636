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
 * committed sample is found exactly once. The whole run is synchronous, so no commit interleaves.
 */

import { ChunkEncoder, ChunkHeader } from '../chunkenc/index.js';
import type { Head } from '../head/head.js';
import type { MemChunk, MemSeries } from '../head/series.js';
import type { Wal } from '../wal/wal.js';
import { encodeChunkSeq } from './codec.js';
import { type ChunkRow, type ChunkStore, ROW_MAX_SPAN_MS } from './store.js';

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

  run(): PersistResult {
    const start = performance.now();
    const walStart = this.wal.nextSegment();
    const seq = ++this.seq;
    const newSeries: { ref: number; labels: MemSeries['labels'] }[] = [];
    const rows: ChunkRow[] = [];
    const ranges: { ref: number; mint: number; maxt: number }[] = [];
    const snapshot: { ref: number; data: Uint8Array }[] = [];
    const touched: MemSeries[] = [];
    let chunks = 0;
    let samples = 0;
    for (const s of this.head.allSeries()) {
      if (!s.logged) continue;
      if (!s.cataloged) newSeries.push({ ref: s.ref, labels: s.labels });
      if (s.closed !== null) {
        const before = rows.length;
        this.rowsOf(s.ref, s.closed, rows);
        let mint = Number.POSITIVE_INFINITY;
        let maxt = Number.NEGATIVE_INFINITY;
        for (let i = before; i < rows.length; i++) {
          mint = Math.min(mint, rows[i]!.mint);
          maxt = Math.max(maxt, rows[i]!.maxt);
          samples += rows[i]!.samples;
        }
        chunks += s.closed.length;
        ranges.push({ ref: s.ref, mint, maxt });
        touched.push(s);
      }
      const open: Uint8Array[] = [];
      if (s.open !== null && s.open.count > 0)
        open.push(this.enc.recode(s.open.bytes()) ?? s.open.bytes().slice());
      if (s.oooN > 0) open.push(this.enc.encode(s.oooT!, s.oooV!, s.oooN)!);
      if (open.length > 0) snapshot.push({ ref: s.ref, data: encodeChunkSeq(open) });
    }
    this.store.commitPersist({
      seq,
      walStart,
      newSeries,
      ranges,
      rows,
      head: snapshot,
      metadata: this.head.meta,
    });
    this.wal.removeBefore(Math.min(walStart, this.retain()));
    for (const s of this.head.allSeries()) if (s.logged) s.cataloged = true;
    for (let i = 0; i < touched.length; i++) {
      const s = touched[i]!;
      s.closed = null;
      s.diskMinT = Math.min(s.diskMinT, ranges[i]!.mint);
      s.diskMaxT = Math.max(s.diskMaxT, ranges[i]!.maxt);
    }
    return { rows: rows.length, chunks, samples, ms: performance.now() - start };
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
