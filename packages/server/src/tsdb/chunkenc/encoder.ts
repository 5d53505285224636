/**
 * Encoding a finished chunk ("cut time"): picks the smallest encoding for the whole chunk. The
 * head appends into an {@link XorAppender} (compact in memory, readable at any moment) and, when it
 * cuts the chunk, calls {@link ChunkEncoder.recode} on its bytes; or it keeps samples in typed
 * arrays and calls {@link ChunkEncoder.encode}.
 */

import { DecimalEncoder } from './decimal.js';
import { ChunkHeader, Encoding, MAX_ABS_TIME, MAX_SAMPLES } from './header.js';
import { ChunkIterator } from './iterator.js';
import { PackedXorEncoder } from './packed_xor.js';
import { XorAppender } from './xor.js';

/** True when `ts[0..n)` are integers within ±2^51 in non-decreasing order, n <= MAX_SAMPLES. */
export function validTimestamps(ts: ArrayLike<number>, n: number): boolean {
  if (n > MAX_SAMPLES) return false;
  let prev = -MAX_ABS_TIME;
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (!(t >= prev && t <= MAX_ABS_TIME) || Math.floor(t) !== t) return false;
    prev = t;
  }
  return true;
}

/**
 * Encodes whole chunks. Reusable and not thread-safe: keep one per writer. Every returned
 * Uint8Array is new and owned by the caller.
 */
export class ChunkEncoder {
  private readonly dec = new DecimalEncoder();
  private readonly packed = new PackedXorEncoder();
  private readonly xor = new XorAppender(256);
  private readonly it = new ChunkIterator();
  private readonly h = new ChunkHeader();
  private ts = new Float64Array(128);
  private vs = new Float64Array(128);

  /**
   * The smallest encoding of `ts[0..n)`/`vs[0..n)`: decimal when every value is an exact short
   * decimal and that is smaller than XOR, else the smaller of XOR and packed XOR. Null (nothing
   * thrown) when the timestamps are not valid chunk timestamps (see {@link validTimestamps});
   * the head never passes such.
   */
  encode(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array | null {
    if (!validTimestamps(ts, n)) return null;
    return this.smallest(ts, vs, n, this.encodeXorView(ts, vs, n));
  }

  /** Like {@link encode} but always XOR (for tests, benchmarks and readers that want it). */
  encodeXor(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array | null {
    if (!validTimestamps(ts, n)) return null;
    return this.encodeXorView(ts, vs, n).slice();
  }

  /** Packed XOR only (for tests and benchmarks); null when the timestamps are invalid. */
  encodePackedXor(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array | null {
    if (!validTimestamps(ts, n)) return null;
    return this.packed.encode(ts, vs, n);
  }

  /** Decimal only; null when a value does not fit or the timestamps are invalid. */
  encodeDecimal(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array | null {
    if (!validTimestamps(ts, n)) return null;
    return this.dec.encode(ts, vs, n);
  }

  /**
   * Re-encodes an XOR chunk (typically `XorAppender.bytes()` at cut time) into the smallest
   * encoding, as {@link encode} chooses it. A chunk in a cut-time encoding (decimal, packed XOR)
   * was chosen that way already and comes back as a copy. With `limit`, only the chunk's first
   * `limit` samples (persistence snapshots a growing chunk by its count). Returns a new
   * Uint8Array, or null when the input is corrupt.
   */
  recode(bytes: Uint8Array, limit = Number.POSITIVE_INFINITY): Uint8Array | null {
    if (!this.h.parse(bytes)) return null;
    const whole = limit >= this.h.count;
    if (this.h.enc !== Encoding.XOR && whole) return bytes.slice();
    const n = this.load(bytes, 0, limit);
    if (n < 0) return null;
    return this.smallest(this.ts, this.vs, n, whole ? bytes : this.encodeXorView(this.ts, this.vs, n));
  }

  /**
   * One chunk with the samples of `chunks` one after the other, in its smallest encoding: for
   * persistence to store a few head chunks of a series as one (a 360-sample chunk of the
   * benchmark workload costs 0.90 bytes a sample, three of 120 cost 0.99: the header and the
   * first values are paid once). Null when a chunk is corrupt, when a chunk starts before the
   * previous one ends (merge overlapping chunks first), or when there are more than
   * {@link MAX_SAMPLES} samples in all.
   */
  concat(chunks: readonly Uint8Array[]): Uint8Array | null {
    let n = 0;
    for (const c of chunks) {
      const k = this.load(c, n);
      if (k < 0) return null;
      n += k;
    }
    if (!validTimestamps(this.ts, n)) return null;
    return this.smallest(this.ts, this.vs, n, this.encodeXorView(this.ts, this.vs, n));
  }

  /**
   * The smallest of `xor` (the samples' XOR chunk, a view or the caller's bytes) and the
   * cut-time encodings; always a new array. Packed XOR is tried only when decimal does not win,
   * since a chunk of short decimals is never smaller with XOR values.
   */
  private smallest(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number, xor: Uint8Array): Uint8Array {
    const dec = this.dec.encode(ts, vs, n);
    if (dec !== null && dec.length < xor.length) return dec;
    const packed = this.packed.encode(ts, vs, n);
    return packed.length < xor.length ? packed : xor.slice();
  }

  /**
   * Decodes `bytes` (its first `limit` samples) into ts/vs from index `at`; returns the number
   * decoded, or -1 when corrupt or too many.
   */
  private load(bytes: Uint8Array, at: number, limit = Number.POSITIVE_INFINITY): number {
    if (!this.h.parse(bytes)) return -1;
    const n = Math.min(this.h.count, limit);
    if (at + n > MAX_SAMPLES) return -1;
    if (this.ts.length < at + n) {
      const cap = Math.max(at + n, this.ts.length * 2);
      const ts = new Float64Array(cap);
      const vs = new Float64Array(cap);
      ts.set(this.ts.subarray(0, at));
      vs.set(this.vs.subarray(0, at));
      this.ts = ts;
      this.vs = vs;
    }
    const it = this.it.reset(bytes);
    let i = at;
    while (i < at + n && it.next()) {
      this.ts[i] = it.t();
      this.vs[i] = it.v();
      i++;
    }
    return it.err() !== null || i !== at + n ? -1 : n;
  }

  private encodeXorView(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array {
    const a = this.xor;
    a.reset();
    for (let i = 0; i < n; i++) a.append(ts[i]!, vs[i]!);
    return a.bytes();
  }
}
