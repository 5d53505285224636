/**
 * The Gorilla encoding (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series
 * Database", VLDB 2015, §4.1), with the bit layout of Prometheus' `tsdb/chunkenc/xor.go`:
 *
 * - timestamps: the first is in the header; the second as a signed varint delta; then
 *   delta-of-deltas in buckets `0` | `10`+14 bits | `110`+17 bits | `1110`+20 bits | `1111`+64 bits
 *   (Prometheus' widths: wider than the paper's 7/9/12 because its timestamps are in ms, not s);
 * - values: Gorilla's XOR compression (`xor_values.ts`), each after its timestamp.
 */

import { BitReader, BitWriter, peekAt } from './bitstream.js';
import { HI, LO } from './float64.js';
import { Encoding, HEADER_MAX, MAX_ABS_TIME, MAX_SAMPLES, writeHeaderBefore } from './header.js';
import { writeFirstValue, writeNextValue, XorValueReader, type XorValueState } from './xor_values.js';

const TWO32 = 0x1_0000_0000;

/** Bits of a delta-of-delta by bucket prefix length (Prometheus' widths). */
const DOD_WIDTHS = [0, 14, 17, 20];

/** Prometheus' bucket test: -(2^(n-1) - 1) <= x <= 2^(n-1). */
function fits(x: number, nbits: number): boolean {
  return x >= -((1 << (nbits - 1)) - 1) && x <= 1 << (nbits - 1);
}

/**
 * Appends samples to an XOR chunk as they arrive (the open chunk of a head series). Each append
 * costs no allocation except when the buffer doubles. `bytes()` returns a view over the internal
 * buffer, valid until the next append or reset; copy it (`slice()`) to keep it.
 *
 * It is its own bit writer and keeps the value compression's state in its own fields, so that the
 * whole state of a chunk is one object's fields: the head keeps those of every open chunk in
 * columns and loads them into one appender per append (tsdb/head/open_chunks.ts).
 */
export class XorAppender extends BitWriter implements XorValueState {
  // Public for the head's open chunks, which keep this state in columns and load it into one
  // appender per append (tsdb/head/open_chunks.ts); nothing else writes them.
  n = 0;
  t0 = 0;
  tPrev = 0;
  tDelta = 0;
  // The value compression's state (XorValueState), written only by xor_values.ts.
  vHi = 0;
  vLo = 0;
  leading = 0xff;
  trailing = 0;

  /** `capacity`: initial buffer size in bytes (it doubles as needed). */
  constructor(capacity = 64) {
    super(capacity, HEADER_MAX);
  }

  /** Empties the chunk, keeping the buffer. */
  override reset(): void {
    super.reset();
    this.n = 0;
  }

  /** Samples appended so far. */
  get count(): number {
    return this.n;
  }

  /** Timestamp of the first sample (undefined meaning when empty). */
  get minTime(): number {
    return this.t0;
  }

  /** Timestamp of the last sample (undefined meaning when empty). */
  get maxTime(): number {
    return this.tPrev;
  }

  /**
   * Timestamp of the sample before the last (-Infinity with fewer than two): no sample of the
   * chunk lies strictly between it and {@link maxTime}.
   */
  get previousTime(): number {
    return this.n >= 2 ? this.tPrev - this.tDelta : Number.NEGATIVE_INFINITY;
  }

  /** Encoded size so far in bytes, header included. */
  get size(): number {
    return this.bytes().length;
  }

  /**
   * Appends a sample. Returns false (and stores nothing) when the chunk is full
   * ({@link MAX_SAMPLES}), when `t` is older than the last sample, or when `t` is not an integer
   * within ±{@link MAX_ABS_TIME}. Equal timestamps are accepted (the head decides about duplicates).
   */
  append(t: number, v: number): boolean {
    const n = this.n;
    if (n >= MAX_SAMPLES || !(t >= -MAX_ABS_TIME && t <= MAX_ABS_TIME) || Math.floor(t) !== t) return false;
    if (n === 0) {
      this.t0 = t;
      writeFirstValue(this, this, v);
    } else {
      if (t < this.tPrev) return false;
      const delta = t - this.tPrev;
      if (n === 1) {
        this.writeVarint(delta);
      } else {
        writeDod(this, delta - this.tDelta);
      }
      this.tDelta = delta;
      writeNextValue(this, this, v);
    }
    this.tPrev = t;
    this.n = n + 1;
    return true;
  }

  /** The chunk bytes (header + body): a view, valid until the next append or reset. */
  bytes(): Uint8Array {
    const start = writeHeaderBefore(this.buf, HEADER_MAX, Encoding.XOR, this.n, this.t0, this.tPrev);
    return this.buf.subarray(start, this.end);
  }
}

function writeDod(w: BitWriter, dod: number): void {
  if (dod === 0) {
    w.writeBit(0);
  } else if (fits(dod, 14)) {
    // The prefix and the field in one write (same bits, same order).
    w.writeBits((0b10 << 14) | (dod & 0x3fff), 16);
  } else if (fits(dod, 17)) {
    w.writeBits((0b110 << 17) | (dod & 0x1ffff), 20);
  } else if (fits(dod, 20)) {
    w.writeBits((0b1110 << 20) | (dod & 0xfffff), 24);
  } else {
    w.writeBits(0b1111, 4);
    const hi = Math.floor(dod / TWO32);
    w.writeBits(hi >>> 0, 32);
    w.writeBits(dod - hi * TWO32, 32);
  }
}

/** Decodes an XOR body sample by sample. Used through {@link ChunkIterator}. */
export class XorDecoder {
  private readonly r = new BitReader();
  private n = 0;
  private i = 0;
  private tDelta = 0;
  private readonly values = new XorValueReader();
  t = 0;
  v = 0;
  /** Set when the body ended early or held an impossible field. */
  corrupt = false;

  reset(b: Uint8Array, bodyStart: number, count: number, mint: number): void {
    this.r.reset(b, bodyStart);
    this.n = count;
    this.i = 0;
    this.t = mint;
    this.tDelta = 0;
    this.corrupt = false;
  }

  /**
   * Decodes every sample (call right after {@link reset}) into `ts` and `out32` (a Uint32Array
   * view of the values' Float64Array, value i in halves 2i, 2i+1) in one loop; returns how many
   * samples {@link next} would have yielded before reporting corruption.
   *
   * The value half of the loop repeats {@link decodeXorValues} on purpose: timestamps and values
   * interleave in the classic XOR body, and keeping the bit position and value halves in locals of
   * one loop is what makes whole-chunk decoding fast (a call per value returning several numbers
   * measured slower). `bulk_decode.test.ts` checks both against the sample-by-sample decoders.
   */
  decodeAll(ts: Float64Array, out32: Uint32Array): number {
    const n = this.n;
    if (n === 0) return 0;
    const r = this.r;
    const b = r.buf;
    const endBits = r.end * 8;
    let bp = r.pos * 8 + r.bit;
    let t = this.t;
    let vHi = peekAt(b, bp) >>> 0;
    let vLo = peekAt(b, bp + 32) >>> 0;
    bp += 64;
    if (bp > endBits) return 0;
    ts[0] = t;
    out32[HI] = vHi;
    out32[LO] = vLo;
    let leading = 0;
    let trailing = 0;
    let tDelta = 0;
    for (let i = 1; i < n; i++) {
      if (i === 1) {
        r.pos = bp >>> 3;
        r.bit = bp & 7;
        tDelta = r.readVarint();
        if (r.overrun) return 1;
        bp = r.pos * 8 + r.bit;
      } else {
        // Delta-of-delta bucket: unary prefix of at most four 1 bits.
        const w = peekAt(b, bp);
        const q = Math.clz32(~w);
        if (q === 0) {
          bp += 1;
        } else if (q >= 4) {
          bp += 4;
          const hi = peekAt(b, bp) | 0;
          tDelta += hi * TWO32 + (peekAt(b, bp + 32) >>> 0);
          bp += 64;
        } else {
          bp += q + 1;
          const sz = q === 1 ? 14 : q === 2 ? 17 : 20;
          let bits = peekAt(b, bp) >>> (32 - sz);
          bp += sz;
          if (bits > 1 << (sz - 1)) bits -= 1 << sz;
          tDelta += bits;
        }
      }
      t += tDelta;
      const w = peekAt(b, bp);
      if (w >= 0) {
        bp += 1; // '0': same value
      } else {
        if ((w & 0x4000_0000) === 0) {
          bp += 2; // '10': previous window
        } else {
          leading = (w >>> 25) & 31;
          let m = (w >>> 19) & 63;
          if (m === 0) m = 64;
          trailing = 64 - leading - m;
          bp += 13;
          if (trailing < 0) return i; // corrupt window
        }
        const tr = trailing;
        const sig = 64 - leading - tr;
        let ph = 0;
        let pl: number;
        if (sig > 32) {
          ph = peekAt(b, bp) >>> (64 - sig);
          pl = peekAt(b, bp + sig - 32) >>> 0;
        } else {
          pl = peekAt(b, bp) >>> (32 - sig);
        }
        bp += sig;
        if (tr === 0) {
          vHi = (vHi ^ ph) >>> 0;
          vLo = (vLo ^ pl) >>> 0;
        } else if (tr >= 32) {
          vHi = (vHi ^ (pl << (tr - 32))) >>> 0;
        } else {
          vHi = (vHi ^ ((ph << tr) | (pl >>> (32 - tr)))) >>> 0;
          vLo = (vLo ^ (pl << tr)) >>> 0;
        }
      }
      if (bp > endBits) return i;
      ts[i] = t;
      out32[2 * i + HI] = vHi;
      out32[2 * i + LO] = vLo;
    }
    return n;
  }

  /** Decodes the next sample into `t`/`v`; false at the end or on corrupt data. */
  next(): boolean {
    const i = this.i;
    if (i >= this.n || this.corrupt) return false;
    const r = this.r;
    if (i === 0) {
      this.values.first(r);
    } else {
      if (i === 1) this.tDelta = r.readVarint();
      else this.tDelta += readDod(r);
      this.t += this.tDelta;
      this.values.next(r);
    }
    this.v = this.values.v;
    if (r.overrun) {
      this.corrupt = true;
      return false;
    }
    this.i = i + 1;
    return true;
  }
}

function readDod(r: BitReader): number {
  // The bucket prefix is unary: the number of 1 bits before a 0, at most four.
  const q = r.readUnary(4);
  if (q === 0) return 0;
  if (q === 4) {
    const hi = r.readBits(32) | 0;
    return hi * TWO32 + r.readBits(32);
  }
  const sz = DOD_WIDTHS[q]!;
  let bits = r.readBits(sz);
  if (bits > 1 << (sz - 1)) bits -= 1 << sz;
  return bits;
}
