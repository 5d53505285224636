/**
 * The packed timestamp stream shared by the cut-time encodings (decimal, packed XOR): the body
 * starts with the stream's byte length L (uvarint; 0 means "exactly on the grid from min to max
 * time", no stream), then the stream, then the encoding's value stream. See FORMAT.md.
 */

import { type BitReader, type BitWriter, putUvarint, uvarintLen } from './bitstream.js';
import { HEADER_MAX, writeHeaderBefore } from './header.js';
import { GCD_BIT, GRID, type IntSeqScratch, MODE_BITS, writeIntSeq } from './intseq.js';
import type { IntSeqDecoder } from './intseq_decoder.js';

/** A timestamp stream that says "exactly on the grid", implied by a zero stream length. */
const EXACT_GRID = Uint8Array.of((GRID | GCD_BIT) << (8 - MODE_BITS));

/** Writes `ts[0..n)` into `tw` (reset first); returns the length to store (0: exact grid). */
export function writeTimestamps(tw: BitWriter, ts: ArrayLike<number>, n: number, s: IntSeqScratch): number {
  tw.reset();
  writeIntSeq(tw, ts, n, true, true, s);
  return tw.bitLength === MODE_BITS && tw.buf[0] === EXACT_GRID[0] ? 0 : tw.end;
}

const head = new Uint8Array(HEADER_MAX);

/** A new chunk: header, timestamp stream length and bytes (`tl` of `tw`), value stream `vw`. */
export function assemble(
  enc: number,
  n: number,
  mint: number,
  maxt: number,
  tw: BitWriter,
  tl: number,
  vw: BitWriter,
): Uint8Array {
  const hs = writeHeaderBefore(head, HEADER_MAX, enc, n, mint, maxt);
  const vl = vw.end;
  const out = new Uint8Array(HEADER_MAX - hs + uvarintLen(tl) + tl + vl);
  out.set(head.subarray(hs), 0);
  let off = putUvarint(out, HEADER_MAX - hs, tl);
  out.set(tw.buf.subarray(0, tl), off);
  off += tl;
  out.set(vw.buf.subarray(0, vl), off);
  return out;
}

/**
 * Points `rt` and `dec` at the timestamp stream of the body at `bodyStart` and returns where the
 * value stream starts, or -1 when the body is corrupt.
 */
export function openTimestamps(
  b: Uint8Array,
  bodyStart: number,
  count: number,
  mint: number,
  maxt: number,
  rt: BitReader,
  dec: IntSeqDecoder,
): number {
  let tl = 0;
  let mul = 1;
  let off = bodyStart;
  for (let j = 0; ; j++) {
    if (off >= b.length || j > 7) return -1;
    const x = b[off++]!;
    tl += (x & 0x7f) * mul;
    if (x < 0x80) break;
    mul *= 0x80;
  }
  const vStart = Math.min(off + tl, b.length);
  if (tl === 0) rt.reset(EXACT_GRID, 0);
  else rt.reset(b, off, vStart);
  dec.reset(rt, count, true, mint, maxt);
  return dec.bad || rt.overrun ? -1 : vStart;
}
