/**
 * The open (growing) XOR chunk of every series of a head, in columns indexed by series ref, with
 * the bytes in slab slots (slab.ts).
 *
 * A head appends to its series in turn: 10 000 series pushed together means 10 000 different
 * open chunks per request. With an appender object per series (its state, its buffer view, the
 * buffer) every append reached three objects of its own, each a likely cache miss: in the
 * server's profile the XOR append was a quarter of the event loop's time under a steady push,
 * most of it on the first read of the series' buffer. Here the state of ref r is element r of
 * typed arrays, and slots are carved in the order series first fill them. Refs are dense, and a
 * client sends its series in a stable order, so appends walk the columns and the slabs forwards,
 * which the hardware prefetches. Each append loads one series' state into a single
 * {@link XorAppender} (always in cache), appends there with the one XOR implementation, and
 * stores the state back.
 */

import { grown } from '../../typed.js';
import { HEADER_MAX, writeHeaderBefore } from '../chunkenc/header.js';
import { Encoding, XorAppender } from '../chunkenc/index.js';
import { BufferSlabs, MAX_SLOT, type Slot } from './slab.js';

/** Most bytes one XOR sample can take (a 68-bit timestamp field and a 77-bit value field). */
export const MAX_SAMPLE_BYTES = 24;

/** Samples per chunk: Prometheus' figure, ~1 byte a sample with the decimal encoding. */
export const CHUNK_SAMPLES = 120;

/** Longest time one chunk may span; bounds how far back a query must look for a chunk's start. */
export const CHUNK_MAX_SPAN_MS = 2 * 3_600_000;

const INITIAL = 1024;

export class OpenChunks {
  private readonly slots = new BufferSlabs();
  /** Samples in the open chunk (0: none). */
  private n = new Int32Array(INITIAL);
  private t0 = new Float64Array(INITIAL);
  private tPrev = new Float64Array(INITIAL);
  private tDelta = new Float64Array(INITIAL);
  // The XOR value state (see xor_values.ts): the last value's halves, the leading/trailing window.
  private vHi = new Uint32Array(INITIAL);
  private vLo = new Uint32Array(INITIAL);
  private leading = new Uint8Array(INITIAL).fill(0xff);
  private trailing = new Uint8Array(INITIAL);
  /** The write position: byte index in the slab, bits used of that byte, and those bits. */
  private pos = new Int32Array(INITIAL);
  private bit = new Uint8Array(INITIAL);
  private cur = new Uint8Array(INITIAL);
  /** The slot: slab number, first byte (header space, then the body), size (0: no slot yet). */
  private slab = new Int32Array(INITIAL);
  private start = new Int32Array(INITIAL);
  private size = new Int32Array(INITIAL);
  /** The appender each append runs in, loaded with the series' state. */
  private readonly cursor = new XorAppender(HEADER_MAX + 16);

  /** Makes room for `ref`. */
  ensure(ref: number): void {
    if (ref < this.n.length) return;
    const size = Math.max(ref + 1, this.n.length * 2);
    this.n = grown(this.n, size);
    this.t0 = grown(this.t0, size);
    this.tPrev = grown(this.tPrev, size);
    this.tDelta = grown(this.tDelta, size);
    this.vHi = grown(this.vHi, size);
    this.vLo = grown(this.vLo, size);
    this.leading = grown(this.leading, size, 0xff);
    this.trailing = grown(this.trailing, size);
    this.pos = grown(this.pos, size);
    this.bit = grown(this.bit, size);
    this.cur = grown(this.cur, size);
    this.slab = grown(this.slab, size);
    this.start = grown(this.start, size);
    this.size = grown(this.size, size);
  }

  /** Samples in the open chunk of `ref`. */
  count(ref: number): number {
    return this.n[ref]!;
  }

  /** Timestamp of its first sample (meaningless when empty). */
  minTime(ref: number): number {
    return this.t0[ref]!;
  }

  /** Timestamp of its last sample (meaningless when empty). */
  maxTime(ref: number): number {
    return this.tPrev[ref]!;
  }

  /**
   * Timestamp of the sample before the last (-Infinity with fewer than two): no sample of the
   * chunk lies strictly between it and {@link maxTime}.
   */
  previousTime(ref: number): number {
    return this.n[ref]! >= 2 ? this.tPrev[ref]! - this.tDelta[ref]! : Number.NEGATIVE_INFINITY;
  }

  /** Bytes of the slot in use: header space plus the body written so far. */
  used(ref: number): number {
    return this.pos[ref]! + (this.bit[ref]! === 0 ? 0 : 1) - this.start[ref]!;
  }

  /** Size of the slot (0 before the first). */
  capacity(ref: number): number {
    return this.size[ref]!;
  }

  /**
   * True when the open chunk of `ref` must be cut before a sample at `t`: it holds
   * {@link CHUNK_SAMPLES}, or `t` would make it span {@link CHUNK_MAX_SPAN_MS}.
   */
  full(ref: number, t: number): boolean {
    return this.n[ref]! >= CHUNK_SAMPLES || t - this.t0[ref]! >= CHUNK_MAX_SPAN_MS;
  }

  /** True when a sample at `t` may go into the open chunk of `ref` as it is (see {@link append}). */
  fits(ref: number, t: number): boolean {
    return this.n[ref]! > 0 && !this.full(ref, t) && this.size[ref]! - this.used(ref) >= MAX_SAMPLE_BYTES;
  }

  /**
   * Appends a sample newer than the chunk's last; the caller checked that the slot has room for
   * the largest sample ({@link MAX_SAMPLE_BYTES}).
   */
  append(ref: number, t: number, v: number): void {
    const c = this.cursor;
    c.buf = this.slots.slabs[this.slab[ref]!]!;
    c.pos = this.pos[ref]!;
    c.bit = this.bit[ref]!;
    c.cur = this.cur[ref]!;
    c.n = this.n[ref]!;
    c.t0 = this.t0[ref]!;
    c.tPrev = this.tPrev[ref]!;
    c.tDelta = this.tDelta[ref]!;
    c.vHi = this.vHi[ref]!;
    c.vLo = this.vLo[ref]!;
    c.leading = this.leading[ref]!;
    c.trailing = this.trailing[ref]!;
    c.append(t, v);
    this.pos[ref] = c.pos;
    this.bit[ref] = c.bit;
    this.cur[ref] = c.cur;
    this.n[ref] = c.n;
    this.t0[ref] = c.t0;
    this.tPrev[ref] = c.tPrev;
    this.tDelta[ref] = c.tDelta;
    this.vHi[ref] = c.vHi;
    this.vLo[ref] = c.vLo;
    this.leading[ref] = c.leading;
    this.trailing[ref] = c.trailing;
  }

  /** The chunk bytes (header + body) of `ref`: a view into its slot, valid until its next change. */
  bytes(ref: number): Uint8Array {
    const buf = this.slots.slabs[this.slab[ref]!]!;
    const body = this.start[ref]! + HEADER_MAX;
    const from = writeHeaderBefore(buf, body, Encoding.XOR, this.n[ref]!, this.t0[ref]!, this.tPrev[ref]!);
    return buf.subarray(from, this.start[ref]! + this.used(ref));
  }

  /**
   * Empties the open chunk of `ref`; into a new slot of at least `size` bytes when given (the old
   * one is freed), else in the same slot.
   */
  reset(ref: number, size?: number): void {
    if (size !== undefined && this.size[ref]! > 0) this.slots.release(this.slotOf(ref));
    else if (this.size[ref]! > 0) {
      const at = this.start[ref]!;
      this.slots.slabs[this.slab[ref]!]!.fill(0, at, at + this.used(ref));
    }
    if (size !== undefined) this.place(ref, this.slots.alloc(Math.min(size, MAX_SLOT)));
    this.n[ref] = 0;
    this.leading[ref] = 0xff;
    this.trailing[ref] = 0;
    this.pos[ref] = this.start[ref]! + HEADER_MAX;
    this.bit[ref] = 0;
    this.cur[ref] = 0;
  }

  /** Moves the open chunk of `ref` into a new slot of at least `size` bytes, samples and all. */
  moveTo(ref: number, size: number): void {
    const old = this.slotOf(ref);
    const used = this.used(ref);
    const next = this.slots.alloc(Math.min(size, MAX_SLOT));
    if (next.size < used + MAX_SAMPLE_BYTES)
      throw new RangeError(`open chunk of ${used} bytes outgrew its slots`);
    const from = this.slots.slabs[old.slab]!;
    this.slots.slabs[next.slab]!.set(from.subarray(old.start, old.start + used), next.start);
    this.pos[ref] = this.pos[ref]! - old.start + next.start;
    this.place(ref, next);
    this.slots.release(old);
  }

  private slotOf(ref: number): Slot {
    return { slab: this.slab[ref]!, start: this.start[ref]!, size: this.size[ref]! };
  }

  private place(ref: number, slot: Slot): void {
    this.slab[ref] = slot.slab;
    this.start[ref] = slot.start;
    this.size[ref] = slot.size;
  }
}
