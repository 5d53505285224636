/**
 * The decimal encoding, after VictoriaMetrics (`lib/decimal`: a float64 as an integer mantissa
 * and a power of ten). Metrics are mostly decimal numbers with few digits — integer counters,
 * counters in steps of 0.01, gauges with two decimals — and such values are noise to Gorilla's
 * XOR (0.01 has no short binary expansion, so every XOR carries ~50 meaningful bits), while their
 * mantissas are small integers whose deltas pack into a few bits.
 *
 * A chunk is encoded this way only when every value v satisfies `m / 10^k === v` (the exact,
 * correctly rounded division the decoder does) for one scale k <= {@link MAX_SCALE} and integer
 * mantissas |m| <= 2^50; so the round trip is bit-exact by construction. NaN, the stale marker,
 * ±Inf, -0 and values with too many digits make the chunk fall back to XOR.
 *
 * Body (see FORMAT.md): uvarint byte length of the timestamp stream (0: timestamps exactly on
 * the grid from min to max time, no stream) | timestamp stream (int sequence, first and last
 * timestamps from the header) | value stream (4 bits scale k, int sequence of
 * the mantissas).
 */

import { BitReader, BitWriter } from './bitstream.js';
import { Encoding } from './header.js';
import { IntSeqScratch, writeIntSeq } from './intseq.js';
import { IntSeqDecoder } from './intseq_decoder.js';
import { assemble, openTimestamps, writeTimestamps } from './timestamps.js';

/** Largest number of decimal digits after the point the encoding keeps. */
export const MAX_SCALE = 15;
const MAX_MANTISSA = 2 ** 50;

/** 10^0 … 10^22 are exact doubles, so `m / POW10[k]` is one correctly rounded division. */
const POW10 = new Float64Array(23).map((_, i) => 10 ** i);

/**
 * The smallest scale k at which every value of `vs[0..n)` is exactly `m / 10^k` with an integer
 * mantissa |m| <= 2^50, writing the mantissas into `mant`; -1 when there is none.
 */
export function decimalScale(vs: ArrayLike<number>, n: number, mant: Float64Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[i]!;
    if (v - v !== 0) return -1; // NaN (any payload, the stale marker too) or ±Inf
    if (v === 0) {
      if (1 / v < 0) return -1; // -0 has no integer mantissa
      continue;
    }
    // Usually fits at the current k already: one multiply, round and divide per value.
    for (;;) {
      const p = POW10[k]!;
      const m = Math.round(v * p);
      if (m / p === v && Math.abs(m) <= MAX_MANTISSA) break;
      if (++k > MAX_SCALE) return -1;
    }
  }
  // Fitting at a smaller k implies fitting at k (same real number), but v * 10^k is itself
  // rounded, so verify each mantissa at the final k rather than trust it.
  const p = POW10[k]!;
  for (let i = 0; i < n; i++) {
    const v = vs[i]!;
    const m = Math.round(v * p);
    if (m / p !== v || Math.abs(m) > MAX_MANTISSA) return -1;
    mant[i] = m;
  }
  return k;
}

/** Encodes whole chunks in the decimal encoding. Reusable; keeps its scratch between calls. */
export class DecimalEncoder {
  private mant = new Float64Array(128);
  private readonly tw = new BitWriter(256);
  private readonly vw = new BitWriter(256);
  private readonly seq = new IntSeqScratch();

  /**
   * The chunk for `ts[0..n)`/`vs[0..n)` (a new Uint8Array), or null when a value does not fit.
   * Timestamps must be valid chunk timestamps (integers, non-decreasing, |t| <= 2^51).
   */
  encode(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array | null {
    if (this.mant.length < n) this.mant = new Float64Array(Math.max(n, this.mant.length * 2));
    const k = decimalScale(vs, n, this.mant);
    if (k < 0) return null;
    const tl = writeTimestamps(this.tw, ts, n, this.seq);
    const vw = this.vw;
    vw.reset();
    vw.writeBits(k, 4); // MAX_SCALE fits in 4 bits
    writeIntSeq(vw, this.mant, n, false, false, this.seq);
    const mint = n > 0 ? ts[0]! : 0;
    const maxt = n > 0 ? ts[n - 1]! : 0;
    return assemble(Encoding.DECIMAL, n, mint, maxt, this.tw, tl, vw);
  }
}

/** Decodes a decimal body sample by sample. Used through `ChunkIterator`. */
export class DecimalDecoder {
  private readonly rt = new BitReader();
  private readonly rv = new BitReader();
  private readonly ts = new IntSeqDecoder();
  private readonly vs = new IntSeqDecoder();
  private n = 0;
  private i = 0;
  private p = 1;
  t = 0;
  v = 0;
  corrupt = false;

  reset(b: Uint8Array, bodyStart: number, count: number, mint: number, maxt: number): void {
    this.n = count;
    this.i = 0;
    this.t = mint;
    this.corrupt = false;
    const vStart = openTimestamps(b, bodyStart, count, mint, maxt, this.rt, this.ts);
    if (vStart < 0) {
      this.corrupt = true;
      return;
    }
    this.rv.reset(b, vStart);
    const k = this.rv.readBits(4);
    this.vs.reset(this.rv, count, false, 0, Number.NaN);
    if (k > MAX_SCALE || this.vs.bad || this.rv.overrun) {
      this.corrupt = true;
      return;
    }
    this.p = POW10[k]!;
  }

  /**
   * Decodes every sample (call right after {@link reset}) into `ts`/`vs`; returns how many
   * samples {@link next} would have yielded before reporting corruption.
   */
  decodeAll(ts: Float64Array, vs: Float64Array): number {
    if (this.corrupt) return 0;
    const nt = this.ts.decodeAll(ts);
    const nv = this.vs.decodeAll(vs);
    const m = Math.min(nt, nv);
    const p = this.p;
    for (let i = 0; i < m; i++) vs[i] = vs[i]! / p;
    return m;
  }

  next(): boolean {
    if (this.i >= this.n || this.corrupt) return false;
    this.t = this.ts.next();
    this.v = this.vs.next() / this.p;
    if (this.rt.overrun || this.rv.overrun) {
      this.corrupt = true;
      return false;
    }
    this.i++;
    return true;
  }
}
