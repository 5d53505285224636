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
    let ok: boolean;
    if (this.enc === Encoding.XOR) {
      ok = this.xor.next();
      this.curT = this.xor.t;
      this.curV = this.xor.v;
      if (!ok && this.xor.corrupt) this.fail('cannot read chunk: corrupt XOR body');
    } else if (this.enc === Encoding.DECIMAL) {
      ok = this.dec.next();
      this.curT = this.dec.t;
      this.curV = this.dec.v;
      if (!ok && this.dec.corrupt) this.fail('cannot read chunk: corrupt decimal body');
    } else {
      ok = this.packed.next();
      this.curT = this.packed.t;
      this.curV = this.packed.v;
      if (!ok && this.packed.corrupt) this.fail('cannot read chunk: corrupt packed-XOR body');
    }
    if (!ok) this.done = true;
    return ok;
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
