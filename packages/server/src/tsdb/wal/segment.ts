/**
 * Segment files of the write-ahead log and the framing of one record (see FORMAT.md):
 *
 *   length u32 LE | crc32 u32 LE of the payload | payload (length bytes)
 *
 * Segments are named by an 8-digit decimal index and only ever appended to.
 */

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export const FRAME_HEADER = 8;

/** A record larger than this is taken as a corrupt length field, not a real record. */
export const MAX_RECORD = 256 << 20;

export function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

export function segmentPath(dir: string, index: number): string {
  return join(dir, segmentName(index));
}

/** Indexes of the segments in `dir`, ascending (other files are ignored). */
export function listSegments(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)) if (/^\d{8}$/.test(name)) out.push(Number(name));
  return out.sort((a, b) => a - b);
}

/**
 * The frame that seals a segment: a one-byte payload 0 (record type 0 is reserved for it). Every
 * segment but the last ends with it, so a segment cut short at a frame boundary (which no
 * checksum can see) is still found out.
 */
export const SEAL_PAYLOAD: Uint8Array = new Uint8Array([0]);
export const SEAL_FRAME_BYTES = FRAME_HEADER + 1;

/** True when the segment's bytes end with the seal frame. */
export function isSealed(buf: Buffer): boolean {
  if (buf.length < SEAL_FRAME_BYTES) return false;
  const off = buf.length - SEAL_FRAME_BYTES;
  const f = readFrame(buf, off);
  return 'end' in f && buf[off + FRAME_HEADER] === 0 && buf.readUInt32LE(off) === 1;
}

/** The frame header of a payload. */
export function frameHeader(payload: Uint8Array): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER);
  h.writeUInt32LE(payload.length, 0);
  h.writeUInt32LE(crc32(payload), 4);
  return h;
}

/** Why a frame could not be read. */
export type FrameDamage =
  | 'torn_header'
  | 'torn_record'
  | 'bad_length'
  | 'checksum_mismatch'
  | 'unsealed_segment';

/**
 * Reads the frame at `off` of a segment's bytes: the payload end offset, or the damage found.
 * A frame that runs past the end of the file is torn (the process died while writing it).
 */
export function readFrame(buf: Buffer, off: number): { end: number } | { damage: FrameDamage } {
  if (buf.length - off < FRAME_HEADER) return { damage: 'torn_header' };
  const len = buf.readUInt32LE(off);
  if (len === 0 || len > MAX_RECORD) return { damage: 'bad_length' };
  const end = off + FRAME_HEADER + len;
  if (end > buf.length) return { damage: 'torn_record' };
  if (crc32(buf.subarray(off + FRAME_HEADER, end)) !== buf.readUInt32LE(off + 4)) {
    return { damage: 'checksum_mismatch' };
  }
  return { end };
}
