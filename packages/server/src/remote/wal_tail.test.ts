import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/server.js';
import { ByteWriter } from '../tsdb/record/buffer.js';
import { encodeSamples } from '../tsdb/record/record.js';
import { FRAME_HEADER, frameHeader, SEAL_PAYLOAD, segmentPath } from '../tsdb/wal/segment.js';
import { WalTail } from './wal_tail.js';

/** A whole log frame holding a sample record of `ts` (ref 1, value = time). */
function samplesFrame(ts: number[]): Buffer {
  const w = new ByteWriter();
  encodeSamples(
    w,
    Uint32Array.of(...ts.map(() => 1)),
    Float64Array.from(ts),
    Float64Array.from(ts),
    ts.length,
  );
  const payload = w.bytes();
  return Buffer.concat([frameHeader(payload), payload]);
}

/** Reads everything readable now: the times read and the segments skipped. */
function readAll(tail: WalTail, skipped: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < 10; i++)
    tail.read(1000, (_ref, t) => {
      out.push(t);
      return true;
    });
  assert.ok(skipped.length <= 1, skipped.join());
  return out;
}

/** Runs `fn` with a reader at the start of segment 1 of a fresh log directory, and the segments it skipped. */
function withTail(fn: (dir: string, tail: WalTail, skipped: string[]) => void): void {
  const dir = tempDir();
  const skipped: string[] = [];
  const tail = new WalTail(
    dir,
    { segment: 1, offset: 0, skip: 0 },
    { skipped: (s, reason) => skipped.push(`${s}:${reason}`) },
  );
  try {
    fn(dir, tail, skipped);
  } finally {
    tail.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reading the log while the main thread writes it', () => {
  it('waits for a half-written or not yet checksummed last frame of the newest segment, never skips it', () =>
    withTail((dir, tail, skipped) => {
      const seg = segmentPath(dir, 1);
      const second = samplesFrame([3, 4]);
      // The first frame whole, the second's header and half its payload (a write in progress).
      writeFileSync(seg, Buffer.concat([samplesFrame([1, 2]), second.subarray(0, FRAME_HEADER + 10)]));
      assert.deepEqual(readAll(tail, skipped), [1, 2]);
      appendFileSync(seg, second.subarray(FRAME_HEADER + 10));
      assert.deepEqual(readAll(tail, skipped), [3, 4]);
      // A frame whose bytes are all there but not yet filled in (zeros): its checksum fails.
      const third = samplesFrame([5]);
      const blank = Buffer.concat([
        third.subarray(0, FRAME_HEADER),
        Buffer.alloc(third.length - FRAME_HEADER),
      ]);
      const at = second.length + samplesFrame([1, 2]).length;
      appendFileSync(seg, blank);
      assert.deepEqual(readAll(tail, skipped), []);
      assert.deepEqual(tail.pos, { segment: 1, offset: at, skip: 0 });
      // The writer finishes it, seals the segment and starts the next before the reader looks again.
      const seal = Buffer.concat([frameHeader(SEAL_PAYLOAD), SEAL_PAYLOAD]);
      writeFileSync(seg, Buffer.concat([samplesFrame([1, 2]), second, third, seal]));
      writeFileSync(segmentPath(dir, 2), samplesFrame([9]));
      assert.deepEqual(readAll(tail, skipped), [5, 9]);
      assert.deepEqual(skipped, []);
    }));

  it('skips a damaged frame of a segment that a later one follows (it was sealed: real damage)', () =>
    withTail((dir, tail, skipped) => {
      const bad = samplesFrame([2]);
      bad[bad.length - 1]! ^= 0xff;
      writeFileSync(segmentPath(dir, 1), Buffer.concat([samplesFrame([1]), bad]));
      writeFileSync(segmentPath(dir, 2), samplesFrame([7, 8]));
      assert.deepEqual(readAll(tail, skipped), [1, 7, 8]);
      assert.deepEqual(skipped, ['1:checksum_mismatch']);
    }));
});
