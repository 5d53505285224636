/**
 * Decoding of the packed integer sequences written by `writeIntSeq` (layout in intseq.ts and
 * FORMAT.md), one value per call and without allocation, for the decimal chunk iterator.
 */

import { type BitReader, peekAt, unzigzag, wideAt } from './bitstream.js';
import {
  FIXED,
  GCD_BIT,
  GRID,
  gridAt,
  MODE_BITS,
  PARAM_BITS,
  RICE,
  RICE_BIT,
  RICE_ESCAPE,
  TREND,
} from './intseq.js';

/** Decodes a sequence written by {@link writeIntSeq}, one value per {@link next}. */
export class IntSeqDecoder {
  private r!: BitReader;
  private order = 0;
  private coder = 0;
  private param = 0;
  private div = 1;
  private g = 1;
  private i = 0;
  private x = 0;
  private d = 0;
  private d1 = 0;
  private first = 0;
  private last = 0;
  private n = 0;
  private firstKnown = false;
  /** Set on an impossible mode or parameter. */
  bad = false;

  /**
   * Reads the sequence's preamble from `r`. `first` is xs[0] when `firstKnown`, `last` is
   * xs[n-1] when the writer was told both were known (else pass NaN).
   */
  reset(r: BitReader, n: number, firstKnown: boolean, first: number, last: number): void {
    this.r = r;
    this.i = 0;
    this.bad = false;
    this.firstKnown = firstKnown;
    const mode = r.readBits(MODE_BITS);
    this.order = mode & 7;
    this.coder = mode & RICE_BIT ? RICE : FIXED;
    this.first = first;
    this.last = last;
    this.n = n;
    if (this.order === GRID && n > 0 && (!firstKnown || !Number.isSafeInteger(last))) this.bad = true;
    if (mode === (GRID | GCD_BIT)) {
      // Exact grid: every residual is zero.
      this.coder = FIXED;
      this.param = 0;
      this.g = 1;
      return;
    }
    if (this.order > TREND) this.bad = true;
    if (this.order !== 0 && this.order !== GRID && !firstKnown && n > 0) this.first = r.readVarint();
    if (this.order === 2 && n > 1) this.d1 = r.readVarint();
    if (this.order === TREND) this.d = r.readVarint();
    this.g = mode & GCD_BIT ? r.readUvarint() : 1;
    this.param = r.readBits(PARAM_BITS);
    this.div = 2 ** this.param;
  }

  private residual(): number {
    const r = this.r;
    const k = this.param;
    let u: number;
    if (this.coder === FIXED) {
      u = k === 0 ? 0 : k <= 32 ? r.readBits(k) : r.readBitsWide(k);
    } else {
      // One 32-bit peek decodes a whole Rice code in the common case: unary part by clz32.
      const w = r.peek32();
      const q = Math.clz32(~w);
      if (q < RICE_ESCAPE && q + 1 + k <= 32) {
        u = q * this.div + (k === 0 ? 0 : (w << (q + 1)) >>> (32 - k));
        r.advance(q + 1 + k);
      } else if (q < RICE_ESCAPE) {
        r.advance(q + 1);
        u = q * this.div + r.readBitsWide(k);
      } else {
        r.advance(RICE_ESCAPE);
        u = r.readBitsWide(r.readBits(6));
      }
    }
    const x = u < 0x8000_0000 ? (u >>> 1) ^ -(u & 1) : unzigzag(u);
    return this.g === 1 ? x : x * this.g;
  }

  /** See {@link decodeIntSeq}. */
  decodeAll(out: Float64Array): number {
    const n = this.n;
    const r = this.r;
    const b = r.buf;
    const endBits = r.end * 8;
    let bp = r.pos * 8 + r.bit;
    if (r.overrun || bp > endBits) return 0;
    const order = this.order;
    const k = this.param;
    const rice = this.coder === RICE;
    const div = this.div;
    const g = this.g;
    const first = this.first;
    let i = 0;
    if (this.bad) return 0;
    if (order === GRID) {
      if (n > 0) out[0] = first;
      i = 1;
    } else if (order === 0) {
      if (this.firstKnown && n > 0) {
        out[0] = first;
        i = 1;
      }
    } else {
      if (n > 0) out[0] = first;
      i = 1;
    }
    if (order === GRID && !rice && k === 0) {
      // Exactly on the grid (or zero-width residuals): no bits to read.
      const last = this.last;
      for (; i < n - 1; i++) out[i] = gridAt(first, last, n, i);
      if (n > 1) out[n - 1] = last;
      return n;
    }
    const last = this.last;
    const lastI = order === GRID ? n - 1 : n;
    // Order 2 has no residual at i = 1 (its first delta is in the preamble).
    const from = order === 2 ? 2 : i;
    // Pass 1: the residuals × g into out[from..valid), one tight loop per coder.
    let valid = lastI;
    if (!rice) {
      for (let j = from; j < lastI; j++) {
        let u: number;
        if (k === 0) u = 0;
        else if (k <= 32) u = peekAt(b, bp) >>> (32 - k);
        else u = wideAt(b, bp, k);
        bp += k;
        const res = u < 0x8000_0000 ? (u >>> 1) ^ -(u & 1) : unzigzag(u);
        out[j] = g === 1 ? res : res * g;
        if (bp > endBits) {
          valid = j;
          break;
        }
      }
    } else {
      for (let j = from; j < lastI; j++) {
        // One 32-bit peek decodes a whole Rice code in the common case: unary part by clz32.
        const w = peekAt(b, bp);
        const q = Math.clz32(~w);
        let u: number;
        if (q < RICE_ESCAPE && q + 1 + k <= 32) {
          u = q * div + (k === 0 ? 0 : (w << (q + 1)) >>> (32 - k));
          bp += q + 1 + k;
        } else if (q < RICE_ESCAPE) {
          bp += q + 1;
          u = q * div + wideAt(b, bp, k);
          bp += k;
        } else {
          bp += RICE_ESCAPE;
          const len = peekAt(b, bp) >>> 26;
          bp += 6;
          u = wideAt(b, bp, len);
          bp += len;
        }
        const res = u < 0x8000_0000 ? (u >>> 1) ^ -(u & 1) : unzigzag(u);
        out[j] = g === 1 ? res : res * g;
        if (bp > endBits) {
          valid = j;
          break;
        }
      }
    }
    // Pass 2: residuals to values.
    if (order === GRID) {
      for (let j = i; j < valid; j++) out[j] = gridAt(first, last, n, j) + out[j]!;
      if (valid === lastI && n > 1) out[n - 1] = last;
    } else if (order === 1) {
      let x = first;
      for (let j = i; j < valid; j++) out[j] = x += out[j]!;
    } else if (order === TREND) {
      const d = this.d;
      let x = first;
      for (let j = i; j < valid; j++) out[j] = x += d + out[j]!;
    } else if (order === 2) {
      let dd = this.d1;
      let x = first;
      if (n > 1 && valid >= 1) out[1] = x += dd;
      for (let j = 2; j < valid; j++) {
        dd += out[j]!;
        out[j] = x += dd;
      }
    }
    if (valid === lastI) valid = n;
    this.i = valid;
    r.pos = bp >>> 3;
    r.bit = bp & 7;
    if (bp > endBits) r.overrun = true;
    return valid;
  }

  /** The next value of the sequence. */
  next(): number {
    const i = this.i++;
    if (this.order === GRID) {
      const n = this.n;
      this.x =
        i === 0
          ? this.first
          : i === n - 1
            ? this.last
            : gridAt(this.first, this.last, n, i) + this.residual();
    } else if (this.order === 0) {
      this.x = i === 0 && this.firstKnown ? this.first : this.residual();
    } else if (i === 0) {
      this.x = this.first;
    } else if (this.order === 1) {
      this.x += this.residual();
    } else if (this.order === TREND) {
      this.x += this.d + this.residual();
    } else {
      this.d = i === 1 ? this.d1 : this.d + this.residual();
      this.x += this.d;
    }
    return this.x;
  }
}

/**
 * Decodes the whole rest of the sequence that {@link IntSeqDecoder.reset} opened into
 * `out[0..n)` in one tight loop (the same values {@link IntSeqDecoder.next} would return), and
 * returns how many of them were read without running past the reader's end.
 */
export function decodeIntSeq(d: IntSeqDecoder, out: Float64Array): number {
  return d.decodeAll(out);
}
