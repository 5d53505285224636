/**
 * One series in the head: its identity, its open chunk, the chunks cut since the last
 * persistence, and its out-of-order samples.
 *
 * In-order samples go into an XOR appender (about 2–4 bytes a sample in memory, readable at any
 * moment). When it holds {@link CHUNK_SAMPLES} samples or spans {@link CHUNK_MAX_SPAN_MS}, it is
 * cut: re-encoded in its smallest encoding and kept as a closed chunk until persistence writes
 * it to disk and drops it from memory. Out-of-order samples (older than
 * the newest, inside the window) go to small sorted typed arrays, cut into their own chunk the
 * same way; reads merge the overlapping chunks.
 */

import type { Labels } from '../../model/labels.js';
import { doubled } from '../../typed.js';
import { HEADER_MAX } from '../chunkenc/header.js';
import { ChunkEncoder, ChunkIterator, XorAppender } from '../chunkenc/index.js';
import { CHUNK_MAX_SPAN_MS, CHUNK_SAMPLES, MAX_SAMPLE_BYTES, type OpenChunks } from './open_chunks.js';
import { Recoder } from './recoder.js';
import { ChunkArena } from './slab.js';

/** The first slot of a series' first chunk: a few samples, then one sized by their rate. */
const FIRST_SLOT = HEADER_MAX + 4 * MAX_SAMPLE_BYTES;

/**
 * A cut chunk held until persisted: its bytes plus its time range. The bytes start as XOR and are
 * replaced by their smallest encoding soon after the cut (see recoder.ts).
 */
export interface MemChunk {
  bytes: Uint8Array;
  readonly mint: number;
  readonly maxt: number;
}

const scan = new ChunkIterator();
/**
 * Cut chunks are re-encoded in their smallest encoding (about 1 byte a sample on the benchmark
 * workload instead of ~4 for XOR), which quarters the memory of chunks waiting for persistence,
 * at a cost the append rate can afford (see README); in-order chunks soon after the cut.
 */
const encoder = new ChunkEncoder();
const arena = new ChunkArena();
/** Re-encodes cut chunks on a worker thread instead of inside the commit that cut them. */
export const recoder = new Recoder(arena);

export class MemSeries {
  /** True once the series record is in the write-ahead log (samples may then refer to it). */
  logged = false;
  /** True once the series is in the persisted catalog (the log may then forget it). */
  cataloged = false;
  /** Chunks cut and not yet persisted, in-order and out-of-order ones, in cut order. */
  closed: MemChunk[] | null = null;
  oooT: Float64Array | null = null;
  /** Out-of-order values in a Float64Array: a JS array would quiet the stale-marker NaN. */
  oooV: Float64Array | null = null;
  oooN = 0;
  /** Time range of the series' persisted chunks (empty: +Infinity, -Infinity). */
  diskMinT = Number.POSITIVE_INFINITY;
  diskMaxT = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    /** The head's open chunks, where this series' open chunk is (at `ref`). */
    private readonly open: OpenChunks,
  ) {}

  /** Samples in the open chunk (0: none yet, or just cut). */
  openCount(): number {
    return this.open.count(this.ref);
  }

  /** Timestamp of the open chunk's first sample (meaningless when it is empty). */
  openMinTime(): number {
    return this.open.minTime(this.ref);
  }

  /** The open chunk's bytes: a view, valid until the next append (copy it to keep it). */
  openBytes(): Uint8Array {
    return this.open.bytes(this.ref);
  }

  /** True when the series may hold samples in [mint, maxt], in memory or on disk. */
  overlaps(mint: number, maxt: number): boolean {
    if (this.diskMinT <= maxt && this.diskMaxT >= mint) return true;
    const o = this.open;
    const ref = this.ref;
    if (o.count(ref) > 0 && o.minTime(ref) <= maxt && o.maxTime(ref) >= mint) return true;
    if (this.oooN > 0 && this.oooT![0]! <= maxt && this.oooT![this.oooN - 1]! >= mint) return true;
    if (this.closed !== null) for (const c of this.closed) if (c.mint <= maxt && c.maxt >= mint) return true;
    return false;
  }

  /** The in-memory chunks overlapping [mint, maxt]: closed ones, the open one, the out-of-order samples. */
  memChunks(mint: number, maxt: number, out: Uint8Array[], copies?: ChunkArena): void {
    if (this.closed !== null)
      for (const c of this.closed) if (c.mint <= maxt && c.maxt >= mint) out.push(c.bytes);
    const o = this.open;
    const ref = this.ref;
    // A copy: the open chunk keeps growing while the query reads.
    // (Into the querier's arena when it has one: one allocation per slab, not per series.)
    if (o.count(ref) > 0 && o.minTime(ref) <= maxt && o.maxTime(ref) >= mint) {
      out.push(copies !== undefined ? copies.copy(o.bytes(ref)) : o.bytes(ref).slice());
    }
    if (this.oooN > 0 && this.oooT![0]! <= maxt && this.oooT![this.oooN - 1]! >= mint) {
      const app = new XorAppender(this.oooN * 4);
      for (let i = 0; i < this.oooN; i++) app.append(this.oooT![i]!, this.oooV![i]!);
      out.push(app.bytes().slice());
    }
  }

  /**
   * Appends a sample newer than every in-order one (the caller checked) that needs a new open
   * chunk or slot first: the series' first, one after a full chunk (cut), or one that would
   * outgrow the slot. The head appends every other in-order sample to the open chunks directly
   * (Head.store), without reaching the series object.
   */
  appendRenewing(t: number, v: number): void {
    const o = this.open;
    const ref = this.ref;
    const n = o.count(ref);
    if (n === 0) {
      if (o.capacity(ref) === 0) o.reset(ref, FIRST_SLOT);
    } else if (o.full(ref, t)) {
      this.cut(recoder.chunk(o.bytes(ref), o.minTime(ref), o.maxTime(ref)));
      // The next chunk of a series is usually about as big as the last: give it a slot of that
      // size plus an eighth (see slab.ts); a larger one grows out of it as before.
      const used = o.used(ref);
      const want = used + (used >> 3) + 16;
      const cap = o.capacity(ref);
      o.reset(ref, cap >= want && cap <= want * 1.25 ? undefined : want);
    } else {
      // About to outgrow its slot: move to one sized for a whole chunk at the rate so far.
      // Doubling instead made every series allocate and drop 36 B…1 KiB buffers in turn, and the
      // allocator kept the freed pieces (~2 KiB of RSS per series).
      const used = o.used(ref);
      const perSample = (used - HEADER_MAX) / n;
      const want = used + perSample * (CHUNK_SAMPLES - n) * 1.125 + 32;
      o.moveTo(ref, Math.max(want, used * 1.25 + 32));
    }
    o.append(ref, t, v);
  }

  /** Stores an out-of-order sample; one already there at `t` is kept (the first write wins). */
  appendOutOfOrder(t: number, v: number): void {
    // Keep every chunk within CHUNK_MAX_SPAN_MS: cut before a sample would stretch it further.
    if (this.oooN > 0) {
      const first = this.oooT![0]!;
      const last = this.oooT![this.oooN - 1]!;
      if (Math.max(t, last) - Math.min(t, first) >= CHUNK_MAX_SPAN_MS) this.cutOutOfOrder();
    }
    if (this.oooT === null || this.oooV === null) {
      this.oooT = new Float64Array(8);
      this.oooV = new Float64Array(8);
    }
    let ts = this.oooT;
    let vs = this.oooV;
    const n = this.oooN;
    const i = lowerBound(ts, n, t);
    if (i < n && ts[i] === t) return;
    if (n === ts.length) {
      ts = doubled(ts);
      vs = doubled(vs);
      this.oooT = ts;
      this.oooV = vs;
    }
    ts.copyWithin(i + 1, i, n);
    vs.copyWithin(i + 1, i, n);
    ts[i] = t;
    vs[i] = v;
    this.oooN = n + 1;
    if (this.oooN >= CHUNK_SAMPLES) this.cutOutOfOrder();
  }

  /** Moves the out-of-order samples into a closed chunk. */
  cutOutOfOrder(): void {
    if (this.oooN === 0) return;
    const bytes = arena.copy(encoder.encode(this.oooT!, this.oooV!, this.oooN)!);
    this.cut({ bytes, mint: this.oooT![0]!, maxt: this.oooT![this.oooN - 1]! });
    this.oooT = null;
    this.oooV = null;
    this.oooN = 0;
  }

  /**
   * Drops the out-of-order samples at the timestamps `ts` (sorted): persistence wrote them to
   * disk. Samples that arrived meanwhile stay; when the samples were cut into a chunk meanwhile,
   * that chunk keeps them and the next persistence merges the duplicates away.
   */
  forgetOutOfOrder(ts: Float64Array): void {
    const t = this.oooT;
    const v = this.oooV;
    if (t === null || v === null) return;
    let kept = 0;
    let j = 0;
    for (let i = 0; i < this.oooN; i++) {
      while (j < ts.length && ts[j]! < t[i]!) j++;
      if (j < ts.length && ts[j] === t[i]) continue;
      t[kept] = t[i]!;
      v[kept] = v[i]!;
      kept++;
    }
    this.oooN = kept;
    if (kept === 0) {
      this.oooT = null;
      this.oooV = null;
    }
  }

  /**
   * The value stored in memory at exactly `t`, or undefined. Looks at the out-of-order samples,
   * the open chunk and the closed chunks (persisted chunks are not searched: a read prefers the
   * persisted sample, see FORMAT.md).
   */
  valueAt(t: number): number | undefined {
    if (this.oooN > 0) {
      const i = lowerBound(this.oooT!, this.oooN, t);
      if (i < this.oooN && this.oooT![i] === t) return this.oooV![i];
    }
    const o = this.open;
    const ref = this.ref;
    // A late sample usually falls between the chunk's last two timestamps (two requests in flight
    // were committed out of order): nothing can be stored there, and decoding is skipped.
    if (o.count(ref) > 0 && t >= o.minTime(ref) && (t <= o.previousTime(ref) || t === o.maxTime(ref))) {
      const v = find(o.bytes(ref), t);
      if (v !== undefined) return v;
    }
    if (this.closed !== null) {
      for (const c of this.closed) {
        if (t < c.mint || t > c.maxt) continue;
        const v = find(c.bytes, t);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  private cut(chunk: MemChunk): void {
    if (this.closed === null) this.closed = [];
    this.closed.push(chunk);
  }
}

function find(bytes: Uint8Array, t: number): number | undefined {
  scan.reset(bytes);
  return scan.seek(t) && scan.t() === t ? scan.v() : undefined;
}

export function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
