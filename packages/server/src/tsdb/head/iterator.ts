/**
 * The sample iterator of one series over a list of chunks (persisted ones first, then memory).
 * Chunks that do not overlap in time are read one after the other without copying: the usual
 * case. When they do overlap (out-of-order samples), the chunks are merged into arrays once, in
 * time order; on equal timestamps the sample of the earlier chunk in the list wins, so a sample
 * already persisted beats a later out-of-order write of the same timestamp.
 */

import type { SampleIterator } from '../../storage/types.js';
import { ChunkHeader, ChunkIterator } from '../chunkenc/index.js';

const hdr = new ChunkHeader();

export class ChunkSeriesIterator implements SampleIterator {
  private chunks: Uint8Array[] = [];
  private maxts: number[] = [];
  private ci = -1;
  private readonly it = new ChunkIterator();
  /** Set when the chunks overlap: merged samples. */
  private mts: Float64Array | null = null;
  private mvs: Float64Array | null = null;
  private mn = 0;
  private mi = -1;
  private has = false;
  private done = false;
  private curT = 0;
  private curV = 0;
  private qmin = 0;
  private qmax = 0;
  private error: Error | null = null;

  /** Starts over on `chunks`, reading only samples with qmin <= t <= qmax. */
  reset(chunks: readonly Uint8Array[], qmin: number, qmax: number): this {
    this.qmin = qmin;
    this.qmax = qmax;
    this.ci = -1;
    this.has = false;
    this.done = false;
    this.error = null;
    this.mts = null;
    this.mvs = null;
    if (this.inOrder(chunks, qmin, qmax)) return this;
    const kept: { b: Uint8Array; mint: number; maxt: number; order: number }[] = [];
    for (let i = 0; i < chunks.length; i++) {
      const b = chunks[i]!;
      if (!hdr.parse(b)) {
        this.error = new Error('cannot read chunk: truncated header');
        continue;
      }
      if (hdr.count === 0 || hdr.maxt < qmin || hdr.mint > qmax) continue;
      kept.push({ b, mint: hdr.mint, maxt: hdr.maxt, order: i });
    }
    kept.sort((a, b) => a.mint - b.mint || a.order - b.order);
    let overlap = false;
    for (let i = 1; i < kept.length; i++) if (kept[i]!.mint <= kept[i - 1]!.maxt) overlap = true;
    if (overlap) {
      kept.sort((a, b) => a.order - b.order);
      this.merge(kept.map((k) => k.b));
    } else {
      this.chunks = kept.map((k) => k.b);
      this.maxts = kept.map((k) => k.maxt);
    }
    return this;
  }

  /**
   * The usual case without allocating: chunks already in time order and not overlapping (disk
   * chunks, then the cut ones, then the open one). Keeps those in range in the reused arrays;
   * false (and nothing kept) otherwise, or on a bad header, for the general path.
   */
  private inOrder(chunks: readonly Uint8Array[], qmin: number, qmax: number): boolean {
    const kept = this.chunks;
    const maxts = this.maxts;
    kept.length = 0;
    maxts.length = 0;
    let prevMax = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < chunks.length; i++) {
      const b = chunks[i]!;
      if (!hdr.parse(b) || (hdr.count > 0 && hdr.mint <= prevMax)) {
        kept.length = 0;
        maxts.length = 0;
        return false;
      }
      if (hdr.count === 0) continue;
      prevMax = hdr.maxt;
      if (hdr.maxt < qmin || hdr.mint > qmax) continue;
      kept.push(b);
      maxts.push(hdr.maxt);
    }
    return true;
  }

  next(): boolean {
    if (this.done) return false;
    if (this.mts !== null) return this.nextMerged();
    for (;;) {
      if (this.ci >= 0 && this.it.next()) {
        const t = this.it.t();
        if (t < this.qmin) continue;
        if (t > this.qmax) return this.finish();
        return this.take(t, this.it.v());
      }
      if (this.ci >= 0 && this.it.err() !== null) this.error = this.it.err();
      if (++this.ci >= this.chunks.length) return this.finish();
      this.it.reset(this.chunks[this.ci]!);
    }
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.has && this.curT >= t) return true;
    if (this.mts !== null) {
      while (this.nextMerged()) if (this.curT >= t) return true;
      return false;
    }
    // Skip whole chunks that end before t.
    let ci = Math.max(this.ci, 0);
    while (ci < this.chunks.length && this.maxts[ci]! < t) ci++;
    if (ci !== this.ci) {
      if (ci >= this.chunks.length) return this.finish();
      this.ci = ci;
      this.it.reset(this.chunks[ci]!);
    }
    while (this.next()) if (this.curT >= t) return true;
    return false;
  }

  t(): number {
    return this.curT;
  }

  v(): number {
    return this.curV;
  }

  err(): Error | null {
    return this.error;
  }

  private take(t: number, v: number): boolean {
    this.curT = t;
    this.curV = v;
    this.has = true;
    return true;
  }

  private finish(): boolean {
    this.done = true;
    this.has = false;
    return false;
  }

  private nextMerged(): boolean {
    if (++this.mi >= this.mn) return this.finish();
    return this.take(this.mts![this.mi]!, this.mvs![this.mi]!);
  }

  /** Decodes every chunk (in priority order), sorts by time and keeps the first of equal times. */
  private merge(chunks: Uint8Array[]): void {
    let total = 0;
    for (const b of chunks) if (hdr.parse(b)) total += hdr.count;
    const ts = new Float64Array(total);
    const vs = new Float64Array(total);
    let n = 0;
    for (const b of chunks) {
      this.it.reset(b);
      while (this.it.next() && n < total) {
        const t = this.it.t();
        if (t < this.qmin || t > this.qmax) continue;
        ts[n] = t;
        vs[n] = this.it.v();
        n++;
      }
      if (this.it.err() !== null) this.error = this.it.err();
    }
    // Stable by construction: ties are broken by position, i.e. by chunk priority.
    const idx = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => ts[a]! - ts[b]! || a - b);
    const mts = new Float64Array(n);
    const mvs = new Float64Array(n);
    let m = 0;
    for (let k = 0; k < n; k++) {
      const i = idx[k]!;
      if (m > 0 && mts[m - 1] === ts[i]) continue;
      mts[m] = ts[i]!;
      mvs[m] = vs[i]!;
      m++;
    }
    this.mts = mts;
    this.mvs = mvs;
    this.mn = m;
    this.mi = -1;
  }
}
