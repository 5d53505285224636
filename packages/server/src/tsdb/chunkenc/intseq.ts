/**
 * A packed sequence of integers (timestamps, or decimal mantissas), encoded once a chunk is
 * complete so the encoder can pick the cheapest form by counting bits, not by guessing:
 *
 * - order: residuals are the values themselves (0), their deltas (1), their delta-of-deltas (2,
 *   what Gorilla uses for timestamps), the distance from the straight line between the first
 *   and last values when the decoder knows both (3, "grid": a chunk's timestamps, where a push
 *   client's jitter around its period costs a few bits and an exact period nothing), or the
 *   deltas minus their mean (4, "trend": a counter's increments scatter around its rate with
 *   half the variance of its delta-of-deltas). Random walks have small deltas; values that
 *   jump around a small level without trending are smallest as they are;
 * - coder: zig-zag residuals either bit-packed at one width (frame of reference: best when
 *   residuals are uniform) or Rice-coded with parameter k (Golomb 1966, Rice 1979: best for the
 *   geometric-like residuals of random walks, and an outlier such as a counter reset costs its own
 *   bits only, not every sample's).
 *
 * Layout (bit stream, see FORMAT.md): mode (5 bits: order | rice << 3 | gcd << 4), then for
 * orders 1, 2, 4 the first value as a signed varint (omitted when the caller knows it), for
 * order 2 the first delta and for order 4 the mean delta as signed varints, when gcd the common
 * divisor g of the residuals as a uvarint, then the parameter (6 bits: width or k), then one
 * code per residual / g. The grid order never has a divisor, so grid | gcd means "exactly on
 * the line", with nothing after the mode.
 * A Rice code is q ones, a zero, and k low bits, where q = u >> k; if q would reach
 * {@link RICE_ESCAPE}, it is instead RICE_ESCAPE ones, 6 bits of length L and u in L bits.
 *
 * Exact for integers whose zig-zag residuals stay below 2^53 (callers check the ranges).
 */

import { type BitWriter, bitLen, zigzag } from './bitstream.js';

/** q (unary part) at which a Rice code switches to an explicit length. */
export const RICE_ESCAPE = 20;

/** Coders, mode bits and orders shared with the decoder (see FORMAT.md). */
export const FIXED = 0;
export const RICE = 1;
export const MODE_BITS = 5;
export const RICE_BIT = 8;
export const GCD_BIT = 16;
export const PARAM_BITS = 6;
/** Order of residuals from the line between the known first and last values. */
export const GRID = 3;
/** Order of deltas minus their mean (a counter's steady rate). */
export const TREND = 4;

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/** Scratch for choosing an encoding; one per encoder, grows to the largest chunk seen. */
export class IntSeqScratch {
  res: Float64Array[] = [];

  constructor() {
    this.alloc(128);
  }

  ensure(n: number): void {
    if (this.res[0]!.length < n) this.alloc(Math.max(n, this.res[0]!.length * 2));
  }

  private alloc(cap: number): void {
    this.res = [];
    for (let i = 0; i < 5; i++) this.res.push(new Float64Array(cap));
  }
}

/** The grid point i of the line from `first` to `last` over n points; encoder and decoder agree bit for bit. */
export function gridAt(first: number, last: number, n: number, i: number): number {
  return first + Math.round((i * (last - first)) / (n - 1));
}

/** Exact Rice costs in bits of `res[from..end)` for k = kmin … kmin+3, in one pass. */
/** True when every value lies on the line between the first and the last (always for n <= 2). */
function onGrid(xs: ArrayLike<number>, n: number): boolean {
  const first = xs[0]!;
  const last = xs[n - 1]!;
  for (let i = 1; i < n - 1; i++) if (xs[i] !== gridAt(first, last, n, i)) return false;
  return true;
}

function riceCosts(res: Float64Array, from: number, end: number, kmin: number, out: Float64Array): void {
  const div = 2 ** kmin;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  for (let i = from; i < end; i++) {
    const u = res[i]!;
    const qb = u / div;
    if (qb < RICE_ESCAPE) {
      const q = qb | 0;
      c0 += q;
      c1 += q >> 1;
      c2 += q >> 2;
      c3 += q >> 3;
    } else {
      // An escaped code costs RICE_ESCAPE + 6 + bitLen(u) in all; the k + 1 per code is added below.
      const esc = RICE_ESCAPE + 5 + bitLen(u);
      const q = qb < 2 ** 30 ? qb | 0 : 2 ** 30;
      c0 += esc - kmin;
      c1 += q >> 1 < RICE_ESCAPE ? q >> 1 : esc - kmin - 1;
      c2 += q >> 2 < RICE_ESCAPE ? q >> 2 : esc - kmin - 2;
      c3 += q >> 3 < RICE_ESCAPE ? q >> 3 : esc - kmin - 3;
    }
  }
  const count = end - from;
  out[0] = c0 + count * (kmin + 1);
  out[1] = c1 + count * (kmin + 2);
  out[2] = c2 + count * (kmin + 3);
  out[3] = c3 + count * (kmin + 4);
}

const costs = new Float64Array(4);

/** The choice being made by {@link writeIntSeq}; module-level to stay allocation-free. */
let bestBits = 0;
let bestOrder = 0;
let bestCoder = FIXED;
let bestParam = 0;

/** Residuals of each order counted by bit length (row `order`, 64 a row), filled while computing them. */
const hist = new Int32Array(5 * 64);

/**
 * Counts the bits of residuals `res[from..end)` of `order` under each coder, from their
 * histogram of bit lengths (`hist` row `order`), and keeps the best so far.
 */
function consider(order: number, res: Float64Array, from: number, end: number, head: number) {
  const count = Math.max(0, end - from);
  const row = order * 64;
  let width = 53;
  while (width > 0 && hist[row + width] === 0) width--;
  if (hist[row + 54] !== 0) return; // a residual of 2^53 or more is not exact: unusable order
  const fixed = head + count * width;
  if (fixed < bestBits) {
    bestBits = fixed;
    bestOrder = order;
    bestCoder = FIXED;
    bestParam = width;
  }
  if (count === 0 || width === 0) return;
  // Rice's k is about log2 of the median residual (for geometric residuals the median is near
  // mean·ln 2, the textbook optimum); the median and not the mean, so that one outlier (a
  // counter reset) does not pull k up for every code. Costs are then counted exactly around it.
  let b = 0;
  for (let seen = hist[row]!; seen * 2 < count; ) seen += hist[row + ++b]!;
  const kmin = Math.min(50, Math.max(0, b - 2));
  riceCosts(res, from, end, kmin, costs);
  for (let j = 0; j < 4; j++) {
    const k = kmin + j;
    const bits = head + costs[j]!;
    if (bits < bestBits) {
      bestBits = bits;
      bestOrder = order;
      bestCoder = RICE;
      bestParam = k;
    }
  }
}

/** Bit length of u, with every length above 53 (inexact) in bucket 54. */
function lenBucket(u: number): number {
  return u < 0x1_0000_0000 ? 32 - Math.clz32(u) : u > 2 ** 53 ? 54 : bitLen(u);
}

/** True when every residual of `order` is zero (by its histogram). */
function allZero(order: number): boolean {
  const row = order * 64;
  for (let b = 1; b <= 54; b++) if (hist[row + b] !== 0) return false;
  return true;
}

/** Where the residuals of an order start and end. */
function range(order: number, n: number, firstKnown: boolean): number {
  if (order === 0) return firstKnown ? 1 : 0;
  if (order === GRID || order === TREND) return 1;
  return Math.min(order, n);
}

/**
 * Writes `xs[0..n)` choosing order, coder and parameter by exact bit count. When `firstKnown`,
 * the decoder is given xs[0] and it is not written; when `bothKnown`, it is given xs[0] and
 * xs[n-1], which allows the grid order (residuals from the line between them: timestamps at a
 * fixed step with jitter; exactly regular ones cost 10 bits in all). The common divisor is looked
 * for in the deltas (so it also divides the delta-of-deltas), where it shows in practice.
 */
export function writeIntSeq(
  w: BitWriter,
  xs: ArrayLike<number>,
  n: number,
  firstKnown: boolean,
  bothKnown: boolean,
  s: IntSeqScratch,
): void {
  if (bothKnown && onGrid(xs, n)) {
    // Exactly on the line (a fixed step): the divisor bit, unused by the grid, says so.
    w.writeBits(GRID | GCD_BIT, MODE_BITS);
    return;
  }
  s.ensure(n);
  const r0 = s.res[0]!;
  const r1 = s.res[1]!;
  const r2 = s.res[2]!;
  const r3 = s.res[3]!;
  const r4 = s.res[4]!;
  if (bothKnown) firstKnown = true;
  const grid = bothKnown && n > 2;
  const first = n > 0 ? xs[0]! : 0;
  const last = n > 0 ? xs[n - 1]! : 0;
  // One pass: raw, delta, delta-of-delta and grid residuals, and the gcd of the deltas.
  let g = 0;
  let prev = 0;
  let prevD = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i]!;
    const d = x - prev;
    r0[i] = x;
    r1[i] = d;
    r2[i] = d - prevD;
    if (grid) r3[i] = x - gridAt(first, last, n, i);
    prev = x;
    prevD = d;
    if (i >= 1 && g !== 1) g = gcd(g, Math.abs(d));
  }
  // A common factor of the deltas (4096-byte pages, a fixed increment) is divided out.
  if (g === 0) g = 1;
  // The mean step, a multiple of g: counters grow at a rate, and their deltas scatter around it
  // with half the variance of their delta-of-deltas.
  const trend = n > 1 ? g * Math.round((last - first) / (n - 1) / g) : 0;
  const from0 = firstKnown ? 1 : 0;
  hist.fill(0);
  for (let i = from0; i < n; i++) {
    const u0 = zigzag(r0[i]!);
    r0[i] = u0;
    hist[lenBucket(u0)]!++;
    if (i >= 1) {
      const d = r1[i]!;
      const u1 = zigzag(g === 1 ? d : d / g);
      r1[i] = u1;
      hist[64 + lenBucket(u1)]!++;
      const u4 = zigzag(g === 1 ? d - trend : (d - trend) / g);
      r4[i] = u4;
      hist[4 * 64 + lenBucket(u4)]!++;
    }
    if (i >= 2) {
      const u2 = zigzag(g === 1 ? r2[i]! : r2[i]! / g);
      r2[i] = u2;
      hist[2 * 64 + lenBucket(u2)]!++;
    }
    if (grid && i < n - 1) {
      const u3 = zigzag(r3[i]!);
      r3[i] = u3;
      hist[3 * 64 + lenBucket(u3)]!++;
    }
  }

  const head = MODE_BITS + PARAM_BITS;
  const headG = g > 1 ? 8 * varintLenOf(g) : 0;
  const headX0 = !firstKnown && n > 0 ? 8 * varintLenOf(zigzag(first)) : 0;
  const headD1 = n > 1 ? 8 * varintLenOf(zigzag(xs[1]! - first)) : 0;
  const headTrend = 8 * varintLenOf(zigzag(trend));
  bestBits = Number.POSITIVE_INFINITY;
  if (grid) consider(GRID, r3, 1, n - 1, head);
  consider(0, r0, from0, n, head);
  // All-zero residuals (regular timestamps, constant values) need no divisor.
  consider(1, r1, range(1, n, firstKnown), n, head + (allZero(1) ? 0 : headG) + headX0);
  consider(2, r2, range(2, n, firstKnown), n, head + (allZero(2) ? 0 : headG) + headX0 + headD1);
  if (n > 1) consider(TREND, r4, 1, n, head + (allZero(TREND) ? 0 : headG) + headX0 + headTrend);
  const order = bestOrder;
  const coder = bestCoder;
  const param = bestParam;
  if (order === 0 || order === GRID || allZero(order)) g = 1;
  w.writeBits(order | (coder === RICE ? RICE_BIT : 0) | (g > 1 ? GCD_BIT : 0), MODE_BITS);
  if ((order === 1 || order === 2 || order === TREND) && !firstKnown && n > 0) w.writeVarint(first);
  if (order === 2 && n > 1) w.writeVarint(xs[1]! - first);
  if (order === TREND) w.writeVarint(trend);
  if (g > 1) w.writeUvarint(g);
  w.writeBits(param, PARAM_BITS);
  const res = s.res[order]!;
  const from = range(order, n, firstKnown);
  const end = order === GRID ? n - 1 : n;
  if (coder === FIXED) {
    if (param > 0) for (let i = from; i < end; i++) w.writeBitsWide(res[i]!, param);
    return;
  }
  const k = param;
  const div = 2 ** k;
  for (let i = from; i < end; i++) {
    const u = res[i]!;
    const q = Math.floor(u / div);
    if (q < RICE_ESCAPE) {
      // q ones, a zero, then k low bits; one write when it fits in 32 bits.
      const unary = ((1 << q) - 1) << 1;
      if (q + 1 + k <= 32) w.writeBits(unary * div + (u - q * div), q + 1 + k);
      else {
        w.writeBits(unary, q + 1);
        w.writeBitsWide(u - q * div, k);
      }
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
