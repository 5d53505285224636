/**
 * Out-of-order data merged at persistence. A series' chunks to persist are normally in-order
 * chunks newer than everything on disk: they become rows as they are. When they are not (an
 * out-of-order chunk, or a chunk reaching back into the persisted range), persistence rewrites
 * that stretch of the series instead of adding overlapping rows: it reads the persisted rows the
 * new chunks overlap, merges rows and chunks into one time-ordered sequence (on equal timestamps
 * the persisted sample, then the earlier chunk, wins: the rule of reads), cuts it into fresh
 * chunks, and the persistence's last transaction deletes the rows it replaced. So after
 * persistence a series' rows never overlap, and reads of persisted data take the iterator's path
 * without merging, however late the data came.
 *
 * Why at the next persistence and not when a late sample arrives: until then the sample sits in
 * memory, where reads merge it anyway; a persistence already batches everything one series got
 * late, so one rewrite of a stretch covers many late samples (a backfill rewrites each persisted
 * stretch once per persistence, not once per sample); and the rewrite is crash-safe for free,
 * because the replaced rows go in the same transaction that makes the new rows part of the store.
 */

import type { ChunkEncoder } from '../chunkenc/index.js';
import { ChunkSeriesIterator } from '../head/iterator.js';
import { CHUNK_MAX_SPAN_MS, CHUNK_SAMPLES } from '../head/open_chunks.js';
import type { MemChunk } from '../head/series.js';
import { decodeChunkSeq, encodeChunkSeq } from './codec.js';
import { type ChunkRow, type ChunkStore, ROW_MAX_BYTES, ROW_MAX_SPAN_MS, type StoredRow } from './store.js';

/**
 * True when `chunks` (in cut order) can be stored as they are: each starts after the previous
 * one ends, the first after `diskMaxT` (the newest persisted time of the series, an upper bound).
 */
export function inOrder(chunks: readonly MemChunk[], diskMaxT: number): boolean {
  let prev = diskMaxT;
  for (const c of chunks) {
    if (c.mint <= prev) return false;
    prev = c.maxt;
  }
  return true;
}

/** A closed time range. */
interface Span {
  mint: number;
  maxt: number;
}

/** Disjoint hulls of overlapping spans, in time order. */
function hulls(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.mint - b.mint);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && s.mint <= last.maxt) last.maxt = Math.max(last.maxt, s.maxt);
    else out.push({ mint: s.mint, maxt: s.maxt });
  }
  return out;
}

export interface Merged {
  /** Rows to write: one time-ordered, non-overlapping sequence per touched stretch. */
  readonly rows: ChunkRow[];
  /** Persisted rows the new rows replace (deleted by the persistence's last transaction). */
  readonly replaced: StoredRow[];
}

const it = new ChunkSeriesIterator();

/**
 * Merges the memory chunks of series `ref` with the persisted rows they overlap (and, through
 * those, any row overlapping them: rows written by older versions may overlap each other).
 */
export function mergeWithDisk(
  store: ChunkStore,
  ref: number,
  mem: readonly MemChunk[],
  enc: ChunkEncoder,
  persisted: Span,
): Merged {
  const replaced = new Map<string, StoredRow>();
  let spans = hulls(mem);
  // Grow each stretch by the rows it overlaps until no new row turns up.
  for (let grew = true; grew; ) {
    grew = false;
    for (const h of spans) {
      if (h.maxt < persisted.mint || h.mint > persisted.maxt) continue;
      for (const r of store.rawRows(ref, h.mint, h.maxt)) {
        const key = `${r.mint}:${r.seq}`;
        if (!replaced.has(key)) {
          replaced.set(key, r);
          grew = true;
        }
      }
    }
    if (grew) spans = hulls([...mem, ...replaced.values()]);
  }
  // Priority order, as reads use it: persisted rows by (mint, seq), then memory chunks in cut order.
  const rows: StoredRow[] = [];
  const chunks: Uint8Array[] = [];
  for (const r of [...replaced.values()].sort((a, b) => a.mint - b.mint || a.seq - b.seq)) {
    const before = chunks.length;
    try {
      decodeChunkSeq(r.data, chunks);
      rows.push(r);
    } catch {
      // A damaged row (reads skip it too) stays as it is; the merged rows go beside it.
      chunks.length = before;
      store.corruptRows++;
    }
  }
  for (const c of mem) chunks.push(c.bytes);
  it.reset(chunks, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  const ts = new Float64Array(CHUNK_SAMPLES);
  const vs = new Float64Array(CHUNK_SAMPLES);
  const out: ChunkRow[] = [];
  let row: Uint8Array[] = [];
  let rowMint = 0;
  let rowMaxt = 0;
  let rowSamples = 0;
  let rowBytes = 0;
  let n = 0;
  let span = 0;
  const flushRow = () => {
    if (row.length > 0)
      out.push({ series: ref, mint: rowMint, maxt: rowMaxt, samples: rowSamples, data: encodeChunkSeq(row) });
    row = [];
    rowSamples = 0;
    rowBytes = 0;
  };
  const flushChunk = () => {
    if (n === 0) return;
    const mint = ts[0]!;
    const maxt = ts[n - 1]!;
    const chunk = enc.encode(ts, vs, n)!;
    if (
      row.length > 0 &&
      (maxt - rowMint > ROW_MAX_SPAN_MS.raw || rowBytes + chunk.length + 3 > ROW_MAX_BYTES)
    ) {
      flushRow();
    }
    if (row.length === 0) rowMint = mint;
    row.push(chunk);
    rowBytes += chunk.length + 3;
    rowMaxt = maxt;
    rowSamples += n;
    n = 0;
  };
  while (it.next()) {
    const t = it.t();
    // Neither a chunk nor a row spans two stretches: untouched rows may lie between them.
    if (n > 0 && (n === CHUNK_SAMPLES || t - ts[0]! >= CHUNK_MAX_SPAN_MS || t > spans[span]!.maxt)) {
      flushChunk();
    }
    while (t > spans[span]!.maxt) {
      flushRow();
      span++;
    }
    ts[n] = t;
    vs[n] = it.v();
    n++;
  }
  // A chunk the iterator could not read to its end keeps what reads saw of it.
  flushChunk();
  flushRow();
  return { rows: out, replaced: rows };
}
