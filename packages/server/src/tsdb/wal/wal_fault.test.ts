/**
 * A failed log write never leaves a torn frame before later acknowledged records: a file handle
 * that writes part of the bytes and then fails (ENOSPC, EIO) is cut back to the last whole frame,
 * writes go on once the fault is gone, and replay finds every record that was acknowledged.
 */

import assert from 'node:assert/strict';
import { ftruncateSync, mkdtempSync, rmSync, statSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { StorageError } from '../../storage/errors.js';
import { replayWal } from './reader.js';
import { segmentPath } from './segment.js';
import { Wal, type WalFileOps } from './wal.js';

/** Real writes, except when a fault is armed: then a short write of `partial` bytes and an error. */
class FaultyFile implements WalFileOps {
  fault: { code: string; partial: number } | null = null;
  truncateFails = false;

  writev(fd: number, buffers: readonly Uint8Array[]): number {
    if (this.fault === null) return writevSync(fd, buffers as NodeJS.ArrayBufferView[]);
    const all = Buffer.concat(buffers);
    if (this.fault.partial > 0)
      writevSync(fd, [all.subarray(0, Math.min(this.fault.partial, all.length - 1))]);
    throw Object.assign(new Error(`${this.fault.code}: injected`), { code: this.fault.code });
  }

  ftruncate(fd: number, length: number): void {
    if (this.truncateFails) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
    ftruncateSync(fd, length);
  }
}

describe('write-ahead log under write faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyobs-walfault-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts a short write back, refuses with a typed error, and loses no acknowledged record', () => {
    const io = new FaultyFile();
    const wal = new Wal(dir, { fsync: 'never', segmentSize: 1 << 20, ops: io });
    const rnd = mulberry32(3);
    const acked: number[] = [];
    let failures = 0;
    let goodSize = 0; // the segment's size after the last acknowledged write
    let cutPending = false; // a failed write whose cut failed too: the next write retries it (EIO)
    for (let i = 1; i <= 400; i++) {
      const roll = rnd();
      if (roll < 0.15) io.fault = { code: 'ENOSPC', partial: Math.floor(rnd() * 40) };
      else if (roll < 0.2) io.fault = { code: 'EIO', partial: 1 + Math.floor(rnd() * 40) };
      // Sometimes the cut itself fails once: the next write must retry it before writing.
      io.truncateFails = io.fault !== null && rnd() < 0.3;
      const payload = Buffer.alloc(5 + Math.floor(rnd() * 30), 1);
      payload.writeUInt32LE(i, 1);
      try {
        wal.write([payload]);
        acked.push(i);
        cutPending = false;
        goodSize = statSync(segmentPath(dir, wal.currentSegment)).size;
      } catch (err) {
        failures++;
        assert.ok(err instanceof StorageError);
        const full: boolean = io.fault?.code === 'ENOSPC' && !(cutPending && io.truncateFails);
        assert.equal(err.code, full ? 'storage_full' : 'storage_unavailable');
        cutPending = io.truncateFails;
        if (!io.truncateFails) {
          assert.equal(statSync(segmentPath(dir, wal.currentSegment)).size, goodSize, 'cut back');
        }
      }
      io.fault = null;
      if (io.truncateFails && rnd() < 0.5) {
        // While the cut keeps failing, writes fail too: nothing is acknowledged after a torn frame.
        assert.throws(() => wal.write([Buffer.from([1, 0, 0, 0, 0])]), StorageError);
      }
      // With the fault gone, the pending cut succeeds at the next write.
      io.truncateFails = false;
    }
    wal.close();
    assert.ok(failures > 30 && acked.length > 250);
    const got: number[] = [];
    const report = replayWal(dir, 0, (p) => got.push(p.readUInt32LE(1)));
    assert.equal(report.cut, null, 'no damaged frame anywhere');
    assert.deepEqual(got, acked);
  });
});
