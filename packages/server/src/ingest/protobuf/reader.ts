/**
 * A reader over the protobuf wire format (https://protobuf.dev/programming-guides/encoding/),
 * written by hand for the few messages TinyObs decodes (remote write, OTLP, the Prometheus
 * client model). It allocates nothing per field: decoders walk the bytes with `pos`/`end` and read
 * scalars in place. Every read checks bounds and throws {@link ProtoError} on truncated or
 * malformed input, which the parsers turn into a 400.
 */

/** Malformed protobuf input: where and what. */
export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

/** Wire types. */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

const TWO_32 = 4294967296;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

export class ProtoReader {
  readonly buf: Buffer;
  pos: number;
  private readonly view: DataView;

  constructor(buf: Uint8Array) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Reads a field key; returns `field << 3 | wireType`. */
  tag(): number {
    const t = this.varint();
    if (t < 8) throw new ProtoError(`invalid field number 0 at byte ${this.pos}`);
    return t;
  }

  /**
   * An unsigned varint as a JS number (exact up to 2^53). A 10-byte encoding of a negative int64
   * is folded back to a negative number, as int64 fields (timestamps) need.
   */
  varint(): number {
    const b = this.buf;
    let pos = this.pos;
    let x = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= b.length) throw new ProtoError(`truncated varint at byte ${this.pos}`);
      const c = b[pos++]!;
      x += (c & 0x7f) * mul;
      if (c < 0x80) {
        this.pos = pos;
        return x >= TWO_63 ? x - TWO_64 : x;
      }
      mul *= 128;
    }
    throw new ProtoError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** A zigzag-encoded signed varint (sint32/sint64). */
  svarint(): number {
    const u = this.varintUnsigned();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  private varintUnsigned(): number {
    const v = this.varint();
    return v < 0 ? v + TWO_64 : v;
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) throw new ProtoError(`truncated double at byte ${this.pos}`);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** An unsigned fixed64 as a JS number (rounded above 2^53). */
  fixed64(): number {
    if (this.pos + 8 > this.buf.length) throw new ProtoError(`truncated fixed64 at byte ${this.pos}`);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /**
   * A fixed64 count of nanoseconds since the epoch as whole milliseconds, exactly (the nanosecond
   * value itself does not fit in a double).
   */
  fixed64NanosToMillis(): number {
    if (this.pos + 8 > this.buf.length) throw new ProtoError(`truncated fixed64 at byte ${this.pos}`);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    // hi·2^32 = hi·4294·10^6 + hi·967296, and hi·967296 + lo < 2^53.
    return hi * 4294 + Math.floor((hi * 967296 + lo) / 1e6);
  }

  /** A signed sfixed64 as a JS number. */
  sfixed64(): number {
    const v = this.fixed64();
    return v >= TWO_63 ? v - TWO_64 : v;
  }

  /** The length of a length-delimited field; `pos` is then at its first byte. Returns its end. */
  lenEnd(): number {
    const n = this.varint();
    const end = this.pos + n;
    if (n < 0 || end > this.buf.length) {
      throw new ProtoError(`length ${n} at byte ${this.pos} runs past the end of the message`);
    }
    return end;
  }

  string(): string {
    const end = this.lenEnd();
    const s = this.pos;
    this.pos = end;
    return decodeString(this.buf, s, end);
  }

  bytes(): Buffer {
    const end = this.lenEnd();
    const s = this.pos;
    this.pos = end;
    return this.buf.subarray(s, end);
  }

  /** Skips a field of the given wire type (unknown fields are ignored, as protobuf requires). */
  skip(wireType: number): void {
    switch (wireType) {
      case VARINT:
        this.varint();
        return;
      case I64:
        this.advance(8);
        return;
      case LEN:
        this.pos = this.lenEnd();
        return;
      case I32:
        this.advance(4);
        return;
      default:
        throw new ProtoError(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  /** Reads a repeated double field, packed or not, calling `f` per value. */
  packedDoubles(wireType: number, f: (v: number) => void): void {
    if (wireType === I64) {
      f(this.double());
      return;
    }
    expectWire(wireType, LEN, 'repeated double');
    const end = this.lenEnd();
    if ((end - this.pos) % 8 !== 0) throw new ProtoError(`packed doubles of odd length at byte ${this.pos}`);
    while (this.pos < end) f(this.double());
  }

  /** Reads a repeated varint field (packed or not), calling `f` per value; `signed` for sint. */
  packedVarints(wireType: number, f: (v: number) => void, signed = false): void {
    if (wireType === VARINT) {
      f(signed ? this.svarint() : this.varint());
      return;
    }
    expectWire(wireType, LEN, 'repeated varint');
    const end = this.lenEnd();
    while (this.pos < end) f(signed ? this.svarint() : this.varint());
    if (this.pos !== end) throw new ProtoError(`packed varints overrun their length at byte ${this.pos}`);
  }

  /** Reads a repeated fixed64 field (packed or not), calling `f` per value. */
  packedFixed64(wireType: number, f: (v: number) => void): void {
    if (wireType === I64) {
      f(this.fixed64());
      return;
    }
    expectWire(wireType, LEN, 'repeated fixed64');
    const end = this.lenEnd();
    if ((end - this.pos) % 8 !== 0) throw new ProtoError(`packed fixed64 of odd length at byte ${this.pos}`);
    while (this.pos < end) f(this.fixed64());
  }

  private advance(n: number): void {
    if (this.pos + n > this.buf.length) throw new ProtoError(`truncated field at byte ${this.pos}`);
    this.pos += n;
  }
}

/** Throws unless a field came with the wire type its schema declares. */
export function expectWire(got: number, want: number, what: string): void {
  if (got !== want) throw new ProtoError(`${what}: wire type ${got}, expected ${want}`);
}

/**
 * Recently decoded short strings, direct-mapped by a hash of their bytes. Label names and values
 * repeat across the series of a request and across requests; returning the interned string skips
 * both the decoding and the garbage it makes, which dominated remote write decoding otherwise.
 */
const INTERN_SIZE = 8192;
const INTERN_MAX_LEN = 64;
const interned: (string | undefined)[] = new Array(INTERN_SIZE);

/** UTF-8 text of `buf[s, e)`, interned when short and ASCII. */
export function decodeString(buf: Buffer, s: number, e: number): string {
  const n = e - s;
  if (n > INTERN_MAX_LEN) return buf.toString('utf8', s, e);
  let h = 0x811c9dc5 ^ n;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c >= 0x80) return buf.toString('utf8', s, e);
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = (h >>> 0) & (INTERN_SIZE - 1);
  const hit = interned[slot];
  if (hit !== undefined && hit.length === n) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (hit.charCodeAt(i) !== buf[s + i]) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const str = buf.toString('latin1', s, e);
  interned[slot] = str;
  return str;
}
