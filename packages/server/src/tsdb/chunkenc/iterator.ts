/**
 * One reusable iterator over chunks of every encoding. A querier keeps one per series cursor and
 * calls {@link ChunkIterator.reset} for each chunk, so iterating many chunks allocates nothing.
 */

import type { SampleIterator } from '../../storage/types.js';
import { DecimalDecoder } from './decimal.js';
import { ChunkHeader, Encoding } from './header.js';
import { PackedXorDecoder } from './packed_xor.js';
import { XorDecoder } from './xor.js';

/** Iterates the samples of one chunk in time order; implements the storage `SampleIterator`. */
export class ChunkIterator implements SampleIterator {
  private readonly h = new ChunkHeader();
  private readonly xor = new XorDecoder();
  private readonly dec = new DecimalDecoder();
  private readonly packed = new PackedXorDecoder();
  private enc = 0;
  private started = false;
  private done = true;
  private error: Error | null = null;
  private curT = 0;
  private curV = 0;
  /** The chunk decoded at once on the first read: samples [0, avail) of ts/vs; -1 before. */
  private ts = new Float64Array(128);
  private vs = new Float64Array(128);
  private vs32 = new Uint32Array(this.vs.buffer);
  private avail = -1;
  private idx = 0;
  private bodyCorrupt = false;

  /** An iterator over `bytes`, or an exhausted one when omitted. */
  constructor(bytes?: Uint8Array) {
    if (bytes) this.reset(bytes);
  }

  /**
   * Starts over on another chunk (or the same one). The bytes must not change while iterated.
   * Malformed bytes make the iterator empty with {@link err} set; it never throws.
   */
  reset(bytes: Uint8Array): this {
    this.started = false;
    this.done = false;
    this.error = null;
    this.enc = 0;
    this.avail = -1;
    this.idx = 0;
    const h = this.h;
    if (!h.parse(bytes)) {
      const enc = bytes.length > 0 ? bytes[0] : 'none';
      return this.fail(`cannot read chunk: malformed header or unknown encoding (id ${enc})`);
    }
    if (h.enc === Encoding.XOR) this.xor.reset(bytes, h.bodyStart, h.count, h.mint);
    else if (h.enc === Encoding.DECIMAL) this.dec.reset(bytes, h.bodyStart, h.count, h.mint, h.maxt);
    else this.packed.reset(bytes, h.bodyStart, h.count, h.mint, h.maxt);
    this.enc = h.enc;
    return this;
  }

  /** Number of samples in the current chunk (from its header). */
  get count(): number {
    return this.error === null ? this.h.count : 0;
  }

  /** Timestamp of the first sample of the current chunk (from its header). */
  get minTime(): number {
    return this.h.mint;
  }

  /** Timestamp of the last sample of the current chunk (from its header). */
  get maxTime(): number {
    return this.h.maxt;
  }

  next(): boolean {
    if (this.done) return false;
    this.started = true;
    if (this.avail < 0) this.decode();
    const i = this.idx;
    if (i < this.avail) {
      this.curT = this.ts[i]!;
      this.curV = this.vs[i]!;
      this.idx = i + 1;
      return true;
    }
    this.done = true;
    if (this.avail < this.h.count || this.bodyCorrupt) {
      const what =
        this.enc === Encoding.XOR ? 'XOR' : this.enc === Encoding.DECIMAL ? 'decimal' : 'packed-XOR';
      this.fail(`cannot read chunk: corrupt ${what} body`);
    }
    return false;
  }

  /** Decodes the whole chunk into ts/vs in one loop (cheaper per sample than one at a time). */
  private decode(): void {
    const n = this.h.count;
    if (this.ts.length < n) {
      const cap = Math.max(n, this.ts.length * 2);
      this.ts = new Float64Array(cap);
      this.vs = new Float64Array(cap);
      this.vs32 = new Uint32Array(this.vs.buffer);
    }
    if (this.enc === Encoding.XOR) {
      this.bodyCorrupt = this.xor.corrupt;
      this.avail = this.xor.decodeAll(this.ts, this.vs32);
    } else if (this.enc === Encoding.DECIMAL) {
      this.bodyCorrupt = this.dec.corrupt;
      this.avail = this.dec.decodeAll(this.ts, this.vs);
    } else {
      this.bodyCorrupt = this.packed.corrupt;
      this.avail = this.packed.decodeAll(this.ts, this.vs32);
    }
  }

  /**
   * Moves to the first sample with timestamp >= `t`; never moves backwards (a seek to an earlier
   * time keeps the current sample). A linear scan, like Prometheus: a chunk holds ~120 samples.
   */
  seek(t: number): boolean {
    if (this.done) return false;
    if (this.started && this.curT >= t) return true;
    while (this.next()) {
      if (this.curT >= t) return true;
    }
    return false;
  }

  t(): number {
    return this.curT;
  }

  v(): number {
    return this.curV;
  }

  err(): Error | null {
    return this.error;
  }

  private fail(msg: string): this {
    // Allocates only on corrupt data, never per sample.
    this.error = new Error(msg);
    this.done = true;
    return this;
  }
}
