/**
 * Replay of the write-ahead log. Records are handed out in the order they were written; at the
 * first damaged frame (a torn tail after a crash, or flipped bytes) the log is cut there: the
 * segment is truncated at the last good record and later segments are deleted, so the next
 * start sees a clean log. What was cut is reported, never thrown.
 */

import { closeSync, ftruncateSync, openSync, readFileSync, rmSync } from 'node:fs';
import { RecordDecodeError } from '../record/buffer.js';
import {
  FRAME_HEADER,
  type FrameDamage,
  isSealed,
  listSegments,
  readFrame,
  SEAL_FRAME_BYTES,
  segmentPath,
} from './segment.js';

/** Where and why the log was cut during replay. */
export interface WalCut {
  readonly segment: number;
  /** Offset in the segment of the first damaged frame (the segment now ends there). */
  readonly offset: number;
  readonly reason: FrameDamage | 'undecodable_record';
  /** Bytes removed: the rest of the damaged segment plus every later segment. */
  readonly bytesDropped: number;
  readonly segmentsDropped: number;
}

export interface WalReplayReport {
  readonly segments: number;
  readonly records: number;
  readonly bytes: number;
  readonly cut: WalCut | null;
}

/**
 * Calls `onRecord` with each record payload of segments `>= from` (older ones are deleted: their
 * content is already persisted, unless a reader of the log still needs them from `keepFrom`).
 * `onRecord` may throw {@link RecordDecodeError} to mark a record that passed its checksum but
 * cannot be decoded; it is treated as damage.
 */
export function replayWal(
  dir: string,
  from: number,
  onRecord: (payload: Buffer) => void,
  keepFrom = from,
): WalReplayReport {
  const all = listSegments(dir);
  for (const s of all) if (s < Math.min(from, keepFrom)) rmSync(segmentPath(dir, s), { force: true });
  const segs = all.filter((s) => s >= from);
  let records = 0;
  let bytes = 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const buf = readFileSync(segmentPath(dir, seg));
    let off = 0;
    let damage: WalCut['reason'] | null = null;
    while (off < buf.length) {
      const f = readFrame(buf, off);
      if ('damage' in f) {
        damage = f.damage;
        break;
      }
      if (f.end - off === SEAL_FRAME_BYTES && buf[off + FRAME_HEADER] === 0) {
        off = f.end; // the seal: not a record
        continue;
      }
      try {
        onRecord(buf.subarray(off + FRAME_HEADER, f.end));
      } catch (err) {
        if (!(err instanceof RecordDecodeError)) throw err;
        damage = 'undecodable_record';
        break;
      }
      records++;
      off = f.end;
    }
    // A segment followed by another must be sealed, else its end is missing.
    if (damage === null && i < segs.length - 1 && !isSealed(buf)) damage = 'unsealed_segment';
    bytes += off;
    if (damage !== null) {
      const later = segs.slice(i + 1);
      let dropped = buf.length - off;
      for (const s of later) {
        dropped += readFileSync(segmentPath(dir, s)).length;
        rmSync(segmentPath(dir, s), { force: true });
      }
      truncate(segmentPath(dir, seg), off);
      return {
        segments: i + 1,
        records,
        bytes,
        cut: {
          segment: seg,
          offset: off,
          reason: damage,
          bytesDropped: dropped,
          segmentsDropped: later.length,
        },
      };
    }
  }
  return { segments: segs.length, records, bytes, cut: null };
}

function truncate(path: string, len: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, len);
  } finally {
    closeSync(fd);
  }
}
