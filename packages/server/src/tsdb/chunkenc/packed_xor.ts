/**
 * The packed-XOR encoding: the timestamps of the decimal encoding (a packed integer sequence, so
 * jitter around a period costs a few bits and an exact period nothing) with Gorilla's XOR values,
 * for chunks whose values are not short decimals (sums of float durations, ratios). Gorilla's
 * timestamp buckets spend 16 bits on any delta-of-delta from ±1 to ±8 192 ms, which is what a
 * push client's timer drift and jitter produce on nearly every sample.
 *
 * Body (see FORMAT.md): timestamp stream length | timestamp stream | XOR value stream.
 */

import { BitReader, BitWriter } from './bitstream.js';
import { Encoding } from './header.js';
import { IntSeqScratch } from './intseq.js';
import { IntSeqDecoder } from './intseq_decoder.js';
import { assemble, openTimestamps, writeTimestamps } from './timestamps.js';
import { decodeXorValues, XorValueReader, XorValueWriter } from './xor_values.js';

/** Encodes whole chunks in the packed-XOR encoding. Reusable; keeps its scratch between calls. */
export class PackedXorEncoder {
  private readonly tw = new BitWriter(256);
  private readonly vw = new BitWriter(1024);
  private readonly seq = new IntSeqScratch();
  private readonly values = new XorValueWriter();

  /** The chunk for `ts[0..n)`/`vs[0..n)` (a new Uint8Array); timestamps must be valid. */
  encode(ts: ArrayLike<number>, vs: ArrayLike<number>, n: number): Uint8Array {
    const tl = writeTimestamps(this.tw, ts, n, this.seq);
    const vw = this.vw;
    vw.reset();
    if (n > 0) this.values.first(vw, vs[0]!);
    for (let i = 1; i < n; i++) this.values.next(vw, vs[i]!);
    const mint = n > 0 ? ts[0]! : 0;
    const maxt = n > 0 ? ts[n - 1]! : 0;
    return assemble(Encoding.PACKED_XOR, n, mint, maxt, this.tw, tl, vw);
  }
}

/** Decodes a packed-XOR body sample by sample. Used through `ChunkIterator`. */
export class PackedXorDecoder {
  private readonly rt = new BitReader();
  private readonly rv = new BitReader();
  private readonly ts = new IntSeqDecoder();
  private readonly values = new XorValueReader();
  private n = 0;
  private i = 0;
  t = 0;
  v = 0;
  corrupt = false;

  reset(b: Uint8Array, bodyStart: number, count: number, mint: number, maxt: number): void {
    this.n = count;
    this.i = 0;
    this.t = mint;
    this.corrupt = false;
    const vStart = openTimestamps(b, bodyStart, count, mint, maxt, this.rt, this.ts);
    if (vStart < 0) this.corrupt = true;
    else this.rv.reset(b, vStart);
  }

  /**
   * Decodes every sample (call right after {@link reset}) into `ts` and `vs32` (a Uint32Array
   * view of the values' Float64Array); returns how many samples {@link next} would have yielded
   * before reporting corruption.
   */
  decodeAll(ts: Float64Array, vs32: Uint32Array): number {
    if (this.corrupt) return 0;
    const nt = this.ts.decodeAll(ts);
    const rv = this.rv;
    const nv = decodeXorValues(rv.buf, rv.pos * 8 + rv.bit, rv.end * 8, this.n, vs32);
    return Math.min(nt, nv);
  }

  next(): boolean {
    const i = this.i;
    if (i >= this.n || this.corrupt) return false;
    this.t = this.ts.next();
    if (i === 0) this.values.first(this.rv);
    else this.values.next(this.rv);
    this.v = this.values.v;
    if (this.rt.overrun || this.rv.overrun) {
      this.corrupt = true;
      return false;
    }
    this.i = i + 1;
    return true;
  }
}
