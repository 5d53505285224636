/**
 * A protobuf wire-format writer that appends into one growing buffer (the VictoriaMetrics way:
 * encoders append into a caller's buffer). Nested messages are written with a reserved length
 * byte range that {@link ProtoWriter.endMessage} fills in, moving the body only when its length
 * needs more than the reserved bytes.
 */

import { I64, LEN, VARINT } from './reader.js';

export class ProtoWriter {
  private buf: Buffer;
  private view: DataView;
  pos = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** The bytes written so far (a view; copy it before writing more). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  /** An unsigned varint; negative numbers are written as 10-byte two's complement (int64). */
  varint(v: number): void {
    this.ensure(10);
    if (v < 0) {
      // Two's complement of a negative int64 that is exact as a double.
      let lo = (v % 4294967296) >>> 0;
      let hi = Math.floor(v / 4294967296) >>> 0;
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = (lo & 0x7f) | 0x80;
        lo = (lo >>> 7) | ((hi & 0x7f) << 25);
        hi >>>= 7;
      }
      this.buf[this.pos++] = lo & 0x01;
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  svarint(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  double(field: number, v: number): void {
    this.tag(field, I64);
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A fixed64 field holding a nanosecond time from milliseconds (exact for any ms time). */
  fixed64NanosFromMillis(field: number, ms: number): void {
    this.tag(field, I64);
    this.ensure(8);
    const ns = BigInt(ms) * 1_000_000n;
    this.view.setBigUint64(this.pos, ns, true);
    this.pos += 8;
  }

  varintField(field: number, v: number): void {
    this.tag(field, VARINT);
    this.varint(v);
  }

  string(field: number, s: string): void {
    this.tag(field, LEN);
    const n = Buffer.byteLength(s);
    this.varint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, LEN);
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Appends bytes that are already encoded fields. */
  bytesRaw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a nested message; returns a mark for {@link endMessage}. */
  beginMessage(field: number): number {
    this.tag(field, LEN);
    this.ensure(2);
    this.pos += 2; // room for a length below 16 384, the common case
    return this.pos;
  }

  endMessage(mark: number): void {
    const n = this.pos - mark;
    if (n < 16384) {
      this.buf[mark - 2] = (n & 0x7f) | 0x80;
      this.buf[mark - 1] = n >>> 7;
      return;
    }
    // Longer: shift the body right to make room for a longer length varint.
    let size = 0;
    for (let x = n; x >= 0x80; x = Math.floor(x / 128)) size++;
    size++;
    const extra = size - 2;
    this.ensure(extra);
    this.buf.copy(this.buf, mark + extra, mark, this.pos);
    this.pos += extra;
    let p = mark - 2;
    let x = n;
    while (x >= 0x80) {
      this.buf[p++] = (x % 128) | 0x80;
      x = Math.floor(x / 128);
    }
    this.buf[p] = x;
  }
}
