/**
 * The chunk header shared by every encoding (see FORMAT.md):
 *
 *   encoding id (1 byte) | count (uvarint) | min time (zig-zag varint) | max time − min time (uvarint) | body
 *
 * The first sample's timestamp is the min time and is not repeated in the body. Reading the header
 * costs a few varints, so the count and time range of a stored chunk are cheap to get.
 */

import { putUvarint, uvarintLen, zigzag } from './bitstream.js';

/** Encoding ids (byte 0 of a chunk). New encodings take new ids; ids are never reused. */
export const Encoding = {
  /** Gorilla: delta-of-delta timestamps, XOR values; append-friendly. */
  XOR: 1,
  /** Decimal values (integer mantissa × 10^-scale) and timestamps, both as packed integer sequences. */
  DECIMAL: 2,
  /** Timestamps as in DECIMAL, values as in XOR: for values that are not short decimals. */
  PACKED_XOR: 3,
} as const;
export type EncodingId = (typeof Encoding)[keyof typeof Encoding];

/** Samples a chunk may hold (a chunk is meant for ~120; the limit only bounds the header). */
export const MAX_SAMPLES = 65535;

/** Largest header in bytes: id, count < 2^21 (3), min time |t| < 2^51 (8), span < 2^52 (8). */
export const HEADER_MAX = 20;

/**
 * Largest |timestamp| a chunk round-trips exactly: 2^51 ms (about 71 000 years), so that deltas
 * and delta-of-deltas of JS numbers stay exact integers.
 */
export const MAX_ABS_TIME = 2 ** 51;

/**
 * Writes a header that ends exactly at `end` (the body starts there) and returns its start offset.
 * Writers reserve {@link HEADER_MAX} bytes before the body, so the finished chunk is the
 * contiguous range [start, bodyEnd) without copying the body.
 */
export function writeHeaderBefore(
  buf: Uint8Array,
  end: number,
  enc: number,
  count: number,
  mint: number,
  maxt: number,
): number {
  const zm = zigzag(mint);
  const span = maxt - mint;
  const start = end - 1 - uvarintLen(count) - uvarintLen(zm) - uvarintLen(span);
  buf[start] = enc;
  let off = putUvarint(buf, start + 1, count);
  off = putUvarint(buf, off, zm);
  putUvarint(buf, off, span);
  return start;
}

/** A parsed header. Reusable: {@link parse} overwrites every field. */
export class ChunkHeader {
  enc = 0;
  count = 0;
  mint = 0;
  maxt = 0;
  /** Offset of the body in the chunk bytes. */
  bodyStart = 0;

  /** Parses the header of `b`; false when it is truncated, malformed or of an unknown encoding. */
  parse(b: Uint8Array): boolean {
    const len = b.length;
    if (len < 4) return false;
    this.enc = b[0]!;
    if (this.enc < Encoding.XOR || this.enc > Encoding.PACKED_XOR) return false;
    let off = 1;
    let u = 0;
    let mul = 1;
    // Three varints in a row; unrolled into one loop over fields to stay allocation-free.
    for (let field = 0; field < 3; field++) {
      u = 0;
      mul = 1;
      for (let i = 0; ; i++) {
        if (off >= len || i > 7) return false;
        const x = b[off++]!;
        u += (x & 0x7f) * mul;
        if (x < 0x80) break;
        mul *= 0x80;
      }
      if (field === 0) {
        // A larger count is corrupt; refusing it bounds how long an iterator can run on garbage.
        if (u > MAX_SAMPLES) return false;
        this.count = u;
      } else if (field === 1) this.mint = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      else this.maxt = this.mint + u;
    }
    this.bodyStart = off;
    return true;
  }
}

const scratch = new ChunkHeader();

/** Encoding id of a chunk (byte 0), or 0 for an empty byte array. */
export function chunkEncoding(b: Uint8Array): number {
  return b.length > 0 ? b[0]! : 0;
}

/** Number of samples in a chunk (0 if the header is malformed or the encoding unknown). */
export function chunkNumSamples(b: Uint8Array): number {
  return scratch.parse(b) ? scratch.count : 0;
}

/** Timestamp of the first sample (NaN if the header is malformed). */
export function chunkMinTime(b: Uint8Array): number {
  return scratch.parse(b) ? scratch.mint : Number.NaN;
}

/** Timestamp of the last sample (NaN if the header is malformed). */
export function chunkMaxTime(b: Uint8Array): number {
  return scratch.parse(b) ? scratch.maxt : Number.NaN;
}
