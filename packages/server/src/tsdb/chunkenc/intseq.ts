/**
 * A packed sequence of integers (timestamps, or decimal mantissas), encoded once a chunk is
 * complete so the encoder can pick the cheapest form by counting bits, not by guessing:
 *
 * - order: residuals are the values themselves (0), their deltas (1) or delta-of-deltas (2), the
 *   latter being what Gorilla uses for timestamps; steady counters and regular timestamps have
 *   zero dods, random walks have small deltas, and values that jump around a small level
 *   without trending are smallest as they are;
 * - coder: zig-zag residuals either bit-packed at one width (frame of reference: best when
 *   residuals are uniform) or Rice-coded with parameter k (Golomb 1966, Rice 1979: best for the
 *   geometric-like residuals of random walks, and an outlier such as a counter reset costs its own
 *   bits only, not every sample's).
 *
 * Layout (bit stream, see FORMAT.md): mode (8 bits: order | coder << 2), then for order >= 1 the
 * first value as a signed varint (omitted when the caller knows it), for order 2 the first delta
 * as a signed varint, then the parameter (6 bits: width or k), then one code per residual.
 * A Rice code is q ones, a zero, and k low bits, where q = u >> k; if q would reach
 * {@link RICE_ESCAPE}, it is instead RICE_ESCAPE ones, 6 bits of length L and u in L bits.
 *
 * Exact for integers whose zig-zag residuals stay below 2^54 (callers check the ranges).
 */

import { type BitReader, type BitWriter, bitLen, unzigzag, zigzag } from './bitstream.js';

/** q (unary part) at which a Rice code switches to an explicit length. */
export const RICE_ESCAPE = 20;

const FIXED = 0;
const RICE = 1;

/** Scratch for choosing an encoding; one per encoder, grows to the largest chunk seen. */
export class IntSeqScratch {
  res: Float64Array[] = [new Float64Array(128), new Float64Array(128), new Float64Array(128)];

  ensure(n: number): void {
    if (this.res[0]!.length >= n) return;
    let cap = this.res[0]!.length;
    while (cap < n) cap *= 2;
    this.res = [new Float64Array(cap), new Float64Array(cap), new Float64Array(cap)];
  }
}

function riceCost(res: Float64Array, from: number, n: number, k: number): number {
  const div = 2 ** k;
  let bits = 0;
  for (let i = from; i < n; i++) {
    const u = res[i]!;
    const q = Math.floor(u / div);
    bits += q < RICE_ESCAPE ? q + 1 + k : RICE_ESCAPE + 6 + bitLen(u);
  }
  return bits;
}

/**
 * Writes `xs[0..n)` choosing order and coder by exact bit count. When `firstKnown`, the decoder
 * is given xs[0] and it is not written.
 */
export function writeIntSeq(
  w: BitWriter,
  xs: ArrayLike<number>,
  n: number,
  firstKnown: boolean,
  s: IntSeqScratch,
): void {
  s.ensure(n);
  let bestBits = Number.POSITIVE_INFINITY;
  let bestOrder = 0;
  let bestCoder = FIXED;
  let bestParam = 0;
  for (let order = 0; order <= 2; order++) {
    const res = s.res[order]!;
    const from = order === 0 ? (firstKnown ? 1 : 0) : order;
    let max = 0;
    let sum = 0;
    let prev = 0;
    let prevD = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      let r: number;
      if (order === 0) r = x;
      else if (order === 1) r = x - prev;
      else {
        const d = x - prev;
        r = d - prevD;
        prevD = d;
      }
      prev = x;
      const u = zigzag(r);
      res[i] = u;
      if (i >= from) {
        if (u > max) max = u;
        sum += u;
      }
    }
    if (max > 2 ** 53) continue; // not exact in a double: this order is unusable
    let head = 0;
    if (order >= 1 && !firstKnown && n > 0) head += 8 * varintLenOf(res[0]!);
    if (order === 2 && n > 1) head += 8 * varintLenOf(zigzag(xs[1]! - xs[0]!));
    const count = n - from;
    const width = bitLen(max);
    const fixed = head + count * width;
    if (fixed < bestBits) {
      bestBits = fixed;
      bestOrder = order;
      bestCoder = FIXED;
      bestParam = width;
    }
    if (count > 0 && width > 0) {
      // The best k is near log2 of the mean residual; the cost is convex in k, so look around it.
      const k0 = Math.max(0, bitLen(Math.floor(sum / count)) - 1);
      for (let k = Math.max(0, k0 - 1); k <= Math.min(53, k0 + 2); k++) {
        const bits = head + riceCost(res, from, n, k);
        if (bits < bestBits) {
          bestBits = bits;
          bestOrder = order;
          bestCoder = RICE;
          bestParam = k;
        }
      }
    }
  }

  w.writeBits(bestOrder | (bestCoder << 2), 8);
  if (bestOrder >= 1 && !firstKnown && n > 0) w.writeVarint(xs[0]!);
  if (bestOrder === 2 && n > 1) w.writeVarint(xs[1]! - xs[0]!);
  w.writeBits(bestParam, 6);
  const res = s.res[bestOrder]!;
  const from = bestOrder === 0 ? (firstKnown ? 1 : 0) : bestOrder;
  if (bestCoder === FIXED) {
    if (bestParam > 0) for (let i = from; i < n; i++) w.writeBitsWide(res[i]!, bestParam);
    return;
  }
  const k = bestParam;
  const div = 2 ** k;
  for (let i = from; i < n; i++) {
    const u = res[i]!;
    const q = Math.floor(u / div);
    if (q < RICE_ESCAPE) {
      // q ones then a zero, written in 32-bit pieces.
      let ones = q;
      while (ones >= 31) {
        w.writeBits(0x7fffffff, 31);
        ones -= 31;
      }
      w.writeBits(((1 << ones) - 1) << 1, ones + 1);
      w.writeBitsWide(u - q * div, k);
    } else {
      w.writeBits((1 << RICE_ESCAPE) - 1, RICE_ESCAPE);
      const len = bitLen(u);
      w.writeBits(len, 6);
      w.writeBitsWide(u, len);
    }
  }
}

function varintLenOf(u: number): number {
  let n = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 0x80);
    n++;
  }
  return n;
}

/** Decodes a sequence written by {@link writeIntSeq}, one value per {@link next}. */
export class IntSeqDecoder {
  private r!: BitReader;
  private order = 0;
  private coder = 0;
  private param = 0;
  private div = 1;
  private i = 0;
  private x = 0;
  private d = 0;
  private d1 = 0;
  private first = 0;
  private firstKnown = false;
  /** Set on an impossible mode or parameter. */
  bad = false;

  /** Reads the sequence's preamble from `r`; `first` is xs[0] when `firstKnown`. */
  reset(r: BitReader, n: number, firstKnown: boolean, first: number): void {
    this.r = r;
    this.i = 0;
    this.bad = false;
    this.firstKnown = firstKnown;
    const mode = r.readBits(8);
    this.order = mode & 3;
    this.coder = (mode >>> 2) & 1;
    if (this.order > 2 || mode > 7) this.bad = true;
    this.first = first;
    if (this.order >= 1 && !firstKnown && n > 0) this.first = r.readVarint();
    if (this.order === 2 && n > 1) this.d1 = r.readVarint();
    this.param = r.readBits(6);
    this.div = 2 ** this.param;
  }

  private residual(): number {
    const r = this.r;
    if (this.coder === FIXED) return unzigzag(this.param === 0 ? 0 : r.readBitsWide(this.param));
    const q = r.readUnary(RICE_ESCAPE);
    if (q < RICE_ESCAPE) return unzigzag(q * this.div + r.readBitsWide(this.param));
    return unzigzag(r.readBitsWide(r.readBits(6)));
  }

  /** The next value of the sequence. */
  next(): number {
    const i = this.i++;
    if (this.order === 0) {
      this.x = i === 0 && this.firstKnown ? this.first : this.residual();
    } else if (i === 0) {
      this.x = this.first;
    } else if (this.order === 1) {
      this.x += this.residual();
    } else {
      this.d = i === 1 ? this.d1 : this.d + this.residual();
      this.x += this.d;
    }
    return this.x;
  }
}
