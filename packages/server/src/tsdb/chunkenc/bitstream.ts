/**
 * Bit-level writer and reader over a Uint8Array, most significant bit first (the order of
 * Prometheus' `tsdb/chunkenc/bstream.go`, so a byte dump reads left to right).
 *
 * JS bit operators work on 32 bits, so single writes and reads are at most 32 bits; wider values
 * (up to 2^53, the exact range of a JS number) go through the `*Wide` variants as two halves.
 * Nothing here allocates per call except the writer doubling its buffer when it is full, and
 * nothing throws on data: a reader that runs past the end returns zeros and sets `overrun`.
 */

const TWO32 = 0x1_0000_0000;

/** Appends bits into a growable byte buffer. Bytes past the write position are always zero. */
export class BitWriter {
  /** The backing buffer; replaced (doubled) when full, so do not keep a reference across writes. */
  buf: Uint8Array;
  /** Index of the byte that receives the next bit. */
  pos: number;
  /** Bits already used in `buf[pos]` (0..7). */
  bit = 0;
  /**
   * The byte at `buf[pos]` as written so far (0 when `bit` is 0). Writes store it with the new
   * bits instead of reading the byte back: the head's open chunks append to one series after
   * another, and that read was a cache miss per sample that stalled the append (a store that
   * misses does not).
   */
  cur = 0;
  private readonly start: number;

  /** `start` bytes at the front are left free for a header written later. */
  constructor(capacity = 64, start = 0) {
    this.buf = new Uint8Array(Math.max(capacity, start + 16));
    this.start = start;
    this.pos = start;
  }

  /** Forgets everything written (the buffer is kept and zeroed). */
  reset(): void {
    this.buf.fill(0, this.start, Math.min(this.pos + 1, this.buf.length));
    this.pos = this.start;
    this.bit = 0;
    this.cur = 0;
  }

  /** End of the written data in bytes (a partly written last byte counts). */
  get end(): number {
    return this.bit === 0 ? this.pos : this.pos + 1;
  }

  /** Number of bits written since `start`. */
  get bitLength(): number {
    return (this.pos - this.start) * 8 + this.bit;
  }

  /** Makes room for at least `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n < this.buf.length) return;
    let cap = this.buf.length * 2;
    while (this.pos + n >= cap) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos + 1));
    this.buf = next;
  }

  writeBit(b: number): void {
    if (this.pos + 1 >= this.buf.length) this.ensure(1);
    if (b !== 0) {
      this.cur |= 0x80 >>> this.bit;
      this.buf[this.pos] = this.cur;
    }
    if (++this.bit === 8) {
      this.bit = 0;
      this.pos++;
      this.cur = 0;
    }
  }

  /** Writes the low `n` bits of `value` (0 <= n <= 32), most significant first. */
  writeBits(value: number, n: number): void {
    if (n === 0) return;
    if (this.pos + 5 >= this.buf.length) this.ensure(5);
    const buf = this.buf;
    const p = this.pos;
    const bit = this.bit;
    // The field lands in the 40-bit window of bytes p … p+4 at offset `bit`; OR it in with
    // whole-byte stores (the bytes after the write position are zero) instead of a bit loop.
    const v = n === 32 ? value >>> 0 : value & ((1 << n) - 1);
    const tail = 32 - bit - n; // free bits after the field within the first 32 bits of the window
    const nb = bit + n;
    const k = nb >>> 3; // the byte of the window the write ends in
    if (tail >= 0) {
      // The window's first 32 bits: the used bits of byte p, the field, zeros.
      const x = (this.cur << 24) | (v << tail);
      buf[p] = x >>> 24;
      buf[p + 1] = (x >>> 16) & 0xff;
      buf[p + 2] = (x >>> 8) & 0xff;
      buf[p + 3] = x & 0xff;
      this.cur = k < 4 ? (x >>> (24 - 8 * k)) & 0xff : 0;
    } else {
      // bit + n > 32: the last -tail bits go into byte p+4, where the write ends.
      const x = (this.cur << 24) | (v >>> -tail);
      const last = (v << (8 + tail)) & 0xff;
      buf[p] = x >>> 24;
      buf[p + 1] = (x >>> 16) & 0xff;
      buf[p + 2] = (x >>> 8) & 0xff;
      buf[p + 3] = x & 0xff;
      buf[p + 4] = last;
      this.cur = last;
    }
    this.pos = p + k;
    this.bit = nb & 7;
  }

  /** Writes the low `n` bits (0 <= n <= 64) of the unsigned number `hi * 2^32 + lo`. */
  writeBits64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi, n - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, n);
    }
  }

  /** Writes a non-negative integer `u < 2^53` in `n` bits (0 <= n <= 53). */
  writeBitsWide(u: number, n: number): void {
    if (n > 32) {
      const hi = Math.floor(u / TWO32);
      this.writeBits(hi, n - 32);
      this.writeBits(u - hi * TWO32, 32);
    } else {
      this.writeBits(u, n);
    }
  }

  /** Writes an unsigned varint (7 bits per byte, low groups first) as 8-bit groups in the stream. */
  writeUvarint(u: number): void {
    while (u >= 0x80) {
      this.writeBits((u % 0x80) | 0x80, 8);
      u = Math.floor(u / 0x80);
    }
    this.writeBits(u, 8);
  }

  /** Writes a zig-zag signed varint (|x| < 2^52). */
  writeVarint(x: number): void {
    this.writeUvarint(zigzag(x));
  }
}

/** Reads bits written by {@link BitWriter}. Reusable: call {@link reset} for another buffer. */
export class BitReader {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  bit = 0;
  end = 0;
  /** Set when a read went past `end`; the read returned zero bits for the missing part. */
  overrun = false;

  reset(buf: Uint8Array, start: number, end: number = buf.length): void {
    this.buf = buf;
    this.pos = start;
    this.bit = 0;
    this.end = end;
    this.overrun = false;
  }

  readBit(): number {
    if (this.pos >= this.end) {
      this.overrun = true;
      return 0;
    }
    const b = (this.buf[this.pos]! >>> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.pos++;
    }
    return b;
  }

  /**
   * The next 32 bits without consuming them. Bytes past the end of the array read as zero;
   * bytes past `end` but inside the array are read as they are, and `advance` flags the overrun.
   */
  peek32(): number {
    const b = this.buf;
    const p = this.pos;
    // Out-of-range typed array reads give undefined, which | and << turn into 0.
    let w = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    if (this.bit > 0) w = (w << this.bit) | (b[p + 4]! >>> (8 - this.bit));
    return w;
  }

  /** Consumes `n` bits. */
  advance(n: number): void {
    const nb = this.bit + n;
    this.pos += nb >>> 3;
    this.bit = nb & 7;
    if (this.pos > this.end || (this.pos === this.end && this.bit > 0)) this.overrun = true;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned number. */
  readBits(n: number): number {
    if (n === 0) return 0;
    const v = this.peek32() >>> (32 - n);
    this.advance(n);
    return v;
  }

  /** Reads `n` bits (0 <= n <= 53) as an unsigned number. */
  readBitsWide(n: number): number {
    if (n > 32) {
      const hi = this.readBits(n - 32);
      return hi * TWO32 + this.readBits(32);
    }
    return this.readBits(n);
  }

  /** Counts 1 bits up to the first 0 bit (consumed) or up to `max` <= 31 ones (then no 0 is read). */
  readUnary(max: number): number {
    const ones = Math.clz32(~this.peek32());
    if (ones >= max) {
      this.advance(max);
      return max;
    }
    this.advance(ones + 1);
    return ones;
  }

  readUvarint(): number {
    let u = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.readBits(8);
      u += (b & 0x7f) * mul;
      if (b < 0x80) return u;
      mul *= 0x80;
    }
    // More than 8 groups (56 bits) cannot come from a safe integer: corrupt data.
    this.overrun = true;
    return u;
  }

  readVarint(): number {
    return unzigzag(this.readUvarint());
  }
}

/** Zig-zag maps signed to unsigned so small magnitudes stay small (exact for |x| < 2^52). */
export function zigzag(x: number): number {
  return x >= 0 ? x * 2 : -x * 2 - 1;
}

export function unzigzag(u: number): number {
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}

/** Number of bits needed for the unsigned integer `u < 2^53` (0 for 0). */
export function bitLen(u: number): number {
  if (u < TWO32) return 32 - Math.clz32(u);
  return 64 - Math.clz32(Math.floor(u / TWO32));
}

/** Bytes a uvarint of `u` takes. */
export function uvarintLen(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 0x80);
    n++;
  }
  return n;
}

/** Writes a uvarint into `buf` at `off`; returns the offset after it. */
export function putUvarint(buf: Uint8Array, off: number, u: number): number {
  while (u >= 0x80) {
    buf[off++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  buf[off++] = u;
  return off;
}

/**
 * The 32 bits of `b` at bit offset `bp` (most significant first), as a signed int32; bytes past
 * the array read as zero. For decoding loops that keep the bit position in a local.
 */
export function peekAt(b: Uint8Array, bp: number): number {
  const p = bp >>> 3;
  const s = bp & 7;
  // Out-of-range typed array reads give undefined, which | and << turn into 0.
  const w = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  return s === 0 ? w : (w << s) | (b[p + 4]! >>> (8 - s));
}

/** The `n` bits (0 <= n <= 53) of `b` at bit offset `bp` as an unsigned number. */
export function wideAt(b: Uint8Array, bp: number, n: number): number {
  if (n === 0) return 0;
  if (n <= 32) return peekAt(b, bp) >>> (32 - n);
  return (peekAt(b, bp) >>> (64 - n)) * TWO32 + (peekAt(b, bp + n - 32) >>> 0);
}
