import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { replayWal } from './reader.js';
import { listSegments, segmentPath } from './segment.js';
import { Wal } from './wal.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tinyobs-wal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Byte 0 of a payload is a record type, never 0 (reserved for the segment seal).
const rec = (i: number, size = 10) => Buffer.alloc(size, 1 + (i % 250));

function readAll(dir: string) {
  const got: number[] = [];
  const report = replayWal(dir, 0, (p) => got.push(p[0]!));
  return { got, report };
}

describe('write-ahead log', () => {
  it('replays every record in write order across segments', async () => {
    const dir = tempDir();
    const wal = new Wal(dir, { segmentSize: 100, fsync: 'always' });
    for (let i = 0; i < 30; i++) {
      wal.write([rec(i), rec(i + 100)]);
      await wal.durable();
    }
    wal.close();
    assert.ok(listSegments(dir).length > 5);
    const { got, report } = readAll(dir);
    assert.equal(got.length, 60);
    assert.deepEqual(got.slice(0, 4), [1, 101, 2, 102]);
    assert.equal(report.cut, null);
  });

  it('cuts a torn tail at the last good record and reports it', () => {
    const dir = tempDir();
    const wal = new Wal(dir, { fsync: 'never' });
    for (let i = 0; i < 5; i++) wal.write([rec(i, 100)]);
    wal.close();
    const seg = segmentPath(dir, 1);
    truncateSync(seg, statSync(seg).size - 30);
    const { got, report } = readAll(dir);
    assert.deepEqual(got, [1, 2, 3, 4]);
    assert.equal(report.cut?.reason, 'torn_record');
    assert.equal(report.cut?.offset, 4 * 108);
    assert.equal(report.cut?.bytesDropped, 108 - 30);
    assert.equal(statSync(seg).size, 4 * 108, 'the damaged tail is removed from the file');
    assert.equal(readAll(dir).report.cut, null, 'the next replay finds a clean log');
  });

  it('cuts at flipped bytes in the last record and drops later segments', () => {
    const dir = tempDir();
    const wal = new Wal(dir, { fsync: 'never', segmentSize: 300 });
    for (let i = 0; i < 6; i++) wal.write([rec(i, 100)]);
    wal.close();
    assert.equal(listSegments(dir).length, 2);
    const seg = segmentPath(dir, 1);
    const bytes = readFileSync(seg);
    bytes[bytes.length - 9 - 5]! ^= 0xff; // in the last record, before the 9-byte seal
    writeFileSync(seg, bytes);
    const { got, report } = readAll(dir);
    assert.deepEqual(got, [1, 2]);
    assert.equal(report.cut?.reason, 'checksum_mismatch');
    assert.equal(report.cut?.segmentsDropped, 1);
    assert.deepEqual(listSegments(dir), [1]);
  });

  it('replays a prefix of the records whatever the damage (random truncations and flipped bytes)', () => {
    const next = mulberry32(42);
    const rnd = (n: number) => Math.floor(next() * n);
    for (let round = 0; round < 200; round++) {
      const dir = tempDir();
      const wal = new Wal(dir, { fsync: 'never', segmentSize: 400 });
      const n = 1 + rnd(20);
      for (let i = 0; i < n; i++) wal.write([rec(i, 1 + rnd(120))]);
      wal.close();
      const segs = listSegments(dir);
      const seg = segmentPath(dir, segs[rnd(segs.length)]!);
      const bytes = readFileSync(seg);
      if (bytes.length > 0) {
        if (round % 2 === 0) writeFileSync(seg, bytes.subarray(0, rnd(bytes.length)));
        else {
          bytes[rnd(bytes.length)]! ^= 1 + rnd(255);
          writeFileSync(seg, bytes);
        }
      }
      const { got } = readAll(dir);
      assert.deepEqual(
        got,
        Array.from({ length: got.length }, (_, i) => 1 + (i % 250)),
        'a prefix, in order',
      );
      assert.deepEqual(readAll(dir).got, got, 'the repaired log replays the same');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts a new segment on open and removes segments below a persisted point', () => {
    const dir = tempDir();
    let wal = new Wal(dir, { fsync: 'never' });
    wal.write([rec(1)]);
    const next = wal.nextSegment();
    wal.write([rec(2)]);
    wal.removeBefore(next);
    assert.equal(wal.size, 18);
    wal.close();
    wal = new Wal(dir, { fsync: 'never' });
    assert.equal(wal.currentSegment, next + 1);
    wal.close();
    assert.deepEqual(readAll(dir).got, [3]);
  });
});
