/**
 * The Gorilla encoding (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series
 * Database", VLDB 2015, §4.1), with the bit layout of Prometheus' `tsdb/chunkenc/xor.go`:
 *
 * - timestamps: the first is in the header; the second as a signed varint delta; then
 *   delta-of-deltas in buckets `0` | `10`+14 bits | `110`+17 bits | `1110`+20 bits | `1111`+64 bits
 *   (Prometheus' widths: wider than the paper's 7/9/12 because its timestamps are in ms, not s);
 * - values: the first as 64 raw bits; then the XOR with the previous value: `0` if equal, else
 *   `10` + the meaningful bits inside the previous leading/trailing-zero window, or `11` + 5 bits
 *   leading zeros (capped at 31) + 6 bits length (64 written as 0) + the meaningful bits.
 *
 * Values are handled as two uint32 halves, so every float64 (NaN payloads, -0, ±Inf, subnormals)
 * round-trips bit for bit without BigInt.
 */

import { BitReader, BitWriter } from './bitstream.js';
import { fromBits, hiBits, loBitsOfLast } from './float64.js';
import { Encoding, HEADER_MAX, MAX_ABS_TIME, MAX_SAMPLES, writeHeaderBefore } from './header.js';

const TWO32 = 0x1_0000_0000;

/** Bits of a delta-of-delta by bucket prefix length (Prometheus' widths). */
const DOD_WIDTHS = [0, 14, 17, 20];

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Prometheus' bucket test: -(2^(n-1) - 1) <= x <= 2^(n-1). */
function fits(x: number, nbits: number): boolean {
  return x >= -((1 << (nbits - 1)) - 1) && x <= 1 << (nbits - 1);
}

/**
 * Appends samples to an XOR chunk as they arrive (the open chunk of a head series). Each append
 * costs no allocation except when the buffer doubles. `bytes()` returns a view over the internal
 * buffer, valid until the next append or reset; copy it (`slice()`) to keep it.
 */
export class XorAppender {
  private readonly w: BitWriter;
  private n = 0;
  private t0 = 0;
  private tPrev = 0;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0xff; // 0xff: no window yet
  private trailing = 0;

  /** `capacity`: initial buffer size in bytes (it doubles as needed). */
  constructor(capacity = 64) {
    this.w = new BitWriter(capacity, HEADER_MAX);
  }

  /** Empties the chunk, keeping the buffer. */
  reset(): void {
    this.w.reset();
    this.n = 0;
    this.leading = 0xff;
    this.trailing = 0;
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
    const w = this.w;
    if (n === 0) {
      this.t0 = t;
      this.vHi = hiBits(v);
      this.vLo = loBitsOfLast();
      w.writeBits(this.vHi, 32);
      w.writeBits(this.vLo, 32);
    } else {
      if (t < this.tPrev) return false;
      const delta = t - this.tPrev;
      if (n === 1) {
        w.writeVarint(delta);
      } else {
        writeDod(w, delta - this.tDelta);
      }
      this.tDelta = delta;
      this.writeValue(v);
    }
    this.tPrev = t;
    this.n = n + 1;
    return true;
  }

  private writeValue(v: number): void {
    const w = this.w;
    const hi = hiBits(v);
    const lo = loBitsOfLast();
    const xh = (hi ^ this.vHi) >>> 0;
    const xl = (lo ^ this.vLo) >>> 0;
    this.vHi = hi;
    this.vLo = lo;
    if (xh === 0 && xl === 0) {
      w.writeBit(0);
      return;
    }
    let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    // 5 bits hold at most 31 leading zeros (Prometheus does the same clamp).
    if (lead >= 32) lead = 31;
    let t: number;
    let sig: number;
    if (this.leading !== 0xff && lead >= this.leading && trail >= this.trailing) {
      // The new meaningful bits fit in the previous window: no need to repeat its size.
      w.writeBits(0b10, 2);
      t = this.trailing;
      sig = 64 - this.leading - t;
    } else {
      this.leading = lead;
      this.trailing = trail;
      t = trail;
      sig = 64 - lead - trail;
      w.writeBits(0b11, 2);
      w.writeBits(lead, 5);
      w.writeBits(sig & 63, 6);
    }
    if (t === 0) w.writeBits64(xh, xl, sig);
    else if (t >= 32) w.writeBits(xh >>> (t - 32), sig);
    else w.writeBits64(xh >>> t, ((xl >>> t) | (xh << (32 - t))) >>> 0, sig);
  }

  /** The chunk bytes (header + body): a view, valid until the next append or reset. */
  bytes(): Uint8Array {
    const w = this.w;
    const start = writeHeaderBefore(w.buf, HEADER_MAX, Encoding.XOR, this.n, this.t0, this.tPrev);
    return w.buf.subarray(start, w.end);
  }
}

function writeDod(w: BitWriter, dod: number): void {
  if (dod === 0) {
    w.writeBit(0);
  } else if (fits(dod, 14)) {
    w.writeBits(0b10, 2);
    w.writeBits(dod & 0x3fff, 14);
  } else if (fits(dod, 17)) {
    w.writeBits(0b110, 3);
    w.writeBits(dod & 0x1ffff, 17);
  } else if (fits(dod, 20)) {
    w.writeBits(0b1110, 4);
    w.writeBits(dod & 0xfffff, 20);
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
  private vHi = 0;
  private vLo = 0;
  private leading = 0;
  private trailing = 0;
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
    this.leading = 0;
    this.trailing = 0;
    this.corrupt = false;
  }

  /** Decodes the next sample into `t`/`v`; false at the end or on corrupt data. */
  next(): boolean {
    const i = this.i;
    if (i >= this.n || this.corrupt) return false;
    const r = this.r;
    if (i === 0) {
      this.vHi = r.readBits(32);
      this.vLo = r.readBits(32);
      this.v = fromBits(this.vHi, this.vLo);
    } else {
      if (i === 1) this.tDelta = r.readVarint();
      else this.tDelta += readDod(r);
      this.t += this.tDelta;
      this.readValue();
    }
    if (r.overrun) {
      this.corrupt = true;
      return false;
    }
    this.i = i + 1;
    return true;
  }

  private readValue(): void {
    const r = this.r;
    // Control bits and window size come from one 32-bit peek.
    const w = r.peek32();
    if (w >= 0) {
      r.advance(1); // '0': same value
      return;
    }
    if ((w & 0x4000_0000) === 0) {
      r.advance(2); // '10': previous window
    } else {
      // '11' + 5 bits leading + 6 bits length
      this.leading = (w >>> 25) & 31;
      let sig = (w >>> 19) & 63;
      if (sig === 0) sig = 64;
      this.trailing = 64 - this.leading - sig;
      r.advance(13);
      if (this.trailing < 0) {
        r.overrun = true; // leading + length > 64: corrupt; next() reports it
        return;
      }
    }
    const t = this.trailing;
    const sig = 64 - this.leading - t;
    let ph = 0;
    let pl: number;
    if (sig > 32) {
      ph = r.readBits(sig - 32);
      pl = r.readBits(32);
    } else {
      pl = r.readBits(sig);
    }
    if (t === 0) {
      this.vHi ^= ph;
      this.vLo ^= pl;
    } else if (t >= 32) {
      this.vHi ^= pl << (t - 32);
    } else {
      this.vHi ^= (ph << t) | (pl >>> (32 - t));
      this.vLo ^= pl << t;
    }
    this.vHi >>>= 0;
    this.vLo >>>= 0;
    this.v = fromBits(this.vHi, this.vLo);
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
