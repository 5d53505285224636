/**
 * Reading the write-ahead log from a position while it is written, as Prometheus' remote write
 * reads its WAL: segments in order, frames checked as replay checks them (`tsdb/wal/FORMAT.md`),
 * sample records decoded in place (`tsdb/record/FORMAT.md`). A seal frame moves to the next
 * segment.
 *
 * The reader runs in the forwarding worker while the main thread appends, so it can see a commit
 * half written: the last frame of the newest segment may be short or fail its checksum only
 * because its bytes are still arriving. Such a frame is read again later, never skipped. Damage
 * counts as real only once a later segment exists (the writer seals a segment, with everything
 * in it written, before it creates the next) and the frame, read again after that was seen, is
 * still damaged.
 */

import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { RecordType, SAMPLE_BYTES } from '../tsdb/record/record.js';
import { FRAME_HEADER, listSegments, readFrame, segmentPath } from '../tsdb/wal/segment.js';
import type { WalPosition } from './position.js';

const CHUNK = 4 << 20;

/** What a read found besides samples. */
export interface TailEvents {
  /** The position's segment is gone (dropped past the maximum lag) or damaged: skipped. */
  skipped(segment: number, reason: string): void;
  /** Each record before its samples are read: where labels are learnt. */
  record?(payload: Buffer): void;
}

const EMPTY = Buffer.alloc(0);

export class WalTail {
  private fd = -1;
  private fdSegment = -1;
  private buf: Buffer = Buffer.alloc(0);
  /** Reused for every read (a fresh 4 MiB buffer per commit read made the GC the main cost). */
  private scratch: Buffer = Buffer.alloc(0);
  /** File offset of `buf[0]`. */
  private bufStart = 0;
  /** `segment:offset` of a damaged frame seen after its segment was sealed (see the top). */
  private suspect = '';

  constructor(
    private readonly dir: string,
    /** Where the next read starts; advanced by {@link read}. */
    public pos: WalPosition,
    private readonly events: TailEvents,
  ) {}

  /**
   * Reads up to `max` samples from the position, calling `onSample` for each, and moves the
   * position past them; stops at the end of a segment, or before a sample `onSample` refuses
   * (returns false: it stays unread). Returns the number of samples read.
   */
  read(max: number, onSample: (ref: number, t: number, v: number) => boolean | undefined): number {
    let n = 0;
    while (n < max) {
      const frame = this.frameAt();
      if (frame === null) break;
      const { payload, end } = frame;
      const type = payload[0];
      if (type === 0) {
        this.moveTo(this.pos.segment + 1);
        break; // one read never spans two segments (see countSamplesFrom)
      }
      this.events.record?.(payload);
      if (type === RecordType.SAMPLES) {
        const count = payload.readUInt32LE(1);
        let upto = Math.min(count, this.pos.skip + (max - n));
        for (let i = this.pos.skip, p = 5 + i * SAMPLE_BYTES; i < upto; i++, p += SAMPLE_BYTES) {
          if (
            onSample(payload.readUInt32LE(p), payload.readDoubleLE(p + 4), payload.readDoubleLE(p + 12)) ===
            false
          ) {
            upto = i;
            break;
          }
        }
        n += upto - this.pos.skip;
        if (upto < count) {
          this.pos = { ...this.pos, skip: upto };
          break;
        }
      }
      this.pos = { segment: this.pos.segment, offset: end, skip: 0 };
    }
    return n;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.fdSegment = -1;
  }

  /** The whole frame at the position, or null when none is complete yet. */
  private frameAt(): { payload: Buffer; end: number } | null {
    for (;;) {
      if (!this.open()) return null;
      let local = this.pos.offset - this.bufStart;
      if (local < 0 || local >= this.buf.length) {
        if (!this.fill(CHUNK)) return this.atEnd();
        local = 0;
      }
      const f = readFrame(this.buf, local);
      if ('end' in f) {
        return { payload: this.buf.subarray(local + FRAME_HEADER, f.end), end: this.bufStart + f.end };
      }
      const size = fstatSync(this.fd).size;
      if (this.bufStart + this.buf.length < size) {
        // The frame continues past what was read: read it whole.
        const need = this.buf.length - local >= 4 ? this.buf.readUInt32LE(local) + FRAME_HEADER : CHUNK;
        if (!this.fill(Math.max(CHUNK, Math.min(need, size - this.pos.offset)))) return this.atEnd();
        continue;
      }
      if (f.damage === 'torn_header' || f.damage === 'torn_record') return this.atEnd();
      return this.damaged(f.damage);
    }
  }

  /** Opens the position's segment; a missing one is skipped to the next that exists. */
  private open(): boolean {
    if (this.fdSegment === this.pos.segment) return true;
    this.close();
    try {
      this.fd = openSync(segmentPath(this.dir, this.pos.segment), 'r');
      this.fdSegment = this.pos.segment;
      this.buf = Buffer.alloc(0);
      this.bufStart = this.pos.offset;
      return true;
    } catch {
      const next = listSegments(this.dir).find((s) => s > this.pos.segment);
      if (next === undefined) return false; // not written yet
      this.events.skipped(this.pos.segment, 'segment_missing');
      this.moveTo(next);
      return this.open();
    }
  }

  /** Reads `len` bytes from the position into the buffer; false at the end of the file. */
  private fill(len: number): boolean {
    if (this.scratch.length < len) this.scratch = Buffer.allocUnsafe(len);
    const got = readSync(this.fd, this.scratch, 0, len, this.pos.offset);
    this.buf = this.scratch.subarray(0, got);
    this.bufStart = this.pos.offset;
    return got > 0;
  }

  /** At the end of what is written: wait, unless a later segment shows this one was cut short. */
  private atEnd(): null {
    this.buf = EMPTY; // read the file again next time: the frame may still be arriving
    const next = listSegments(this.dir).find((s) => s > this.pos.segment);
    // The writer seals a segment before it creates the next, so an unsealed one with a successor
    // was cut by a crash and replay (which kept its good prefix): go on.
    if (next !== undefined && fstatSync(this.fd).size <= this.pos.offset) this.moveTo(next);
    return null;
  }

  /** A damaged frame: real only when still damaged when read again after a later segment appeared. */
  private damaged(reason: string): null {
    this.buf = EMPTY; // read the file again next time
    const here = `${this.pos.segment}:${this.pos.offset}`;
    const next = listSegments(this.dir).find((s) => s > this.pos.segment);
    if (next !== undefined && this.suspect === here) {
      this.events.skipped(this.pos.segment, reason);
      this.moveTo(next);
      return null;
    }
    this.suspect = next === undefined ? '' : here;
    return null;
  }

  private moveTo(segment: number): void {
    this.pos = { segment, offset: 0, skip: 0 };
  }
}

/** Log bytes after `pos` in `dir` (what is still to read). */
export function unreadBytes(dir: string, pos: WalPosition): number {
  let total = 0;
  for (const s of listSegments(dir)) {
    if (s < pos.segment) continue;
    try {
      const size = statSync(segmentPath(dir, s)).size;
      total += s === pos.segment ? Math.max(0, size - pos.offset) : size;
    } catch {
      // deleted meanwhile
    }
  }
  return total;
}

/** Samples in segment `pos.segment` from the position to its end (what dropping it loses). */
export function countSamplesFrom(dir: string, pos: WalPosition): number {
  let n = 0;
  const tail = new WalTail(dir, pos, { skipped: () => {} });
  try {
    for (;;) {
      const before = tail.pos;
      n += tail.read(1 << 20, () => true);
      if (tail.pos.segment !== pos.segment || tail.pos === before) break;
    }
  } finally {
    tail.close();
  }
  return n;
}
