/**
 * Decoding of the packed integer sequences written by `writeIntSeq` (layout in intseq.ts and
 * FORMAT.md), one value per call and without allocation, for the decimal chunk iterator.
 */

import { type BitReader, unzigzag } from './bitstream.js';
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
