/**
 * Out-of-order data merged at persistence (`merge.ts`): late samples into a persisted stretch,
 * before everything, inside the open chunk's range, retries of stored samples, in random order.
 * Reads answer exactly as a model before and after each persistence and after restarts (clean
 * and abandoned), and after a persistence the rows and chunks of each series on disk are one
 * time-ordered sequence holding each sample once: no out-of-order chunk is left over.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { type Labels, labelsFromRecord } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import { ChunkHeader } from '../chunkenc/index.js';
import { DB } from '../db.js';
import { decodeChunkSeq } from './codec.js';

const SEC = 1000;
const HOUR = 3_600_000;
const SERIES = 6;

describe('out-of-order data merged at persistence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyobs-merge-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const rnd = mulberry32(8);
  const now = Math.floor(Date.now() / 1000) * 1000;
  const labels: Labels[] = Array.from({ length: SERIES }, (_, i) =>
    labelsFromRecord({ __name__: 'm', s: String(i) }),
  );
  const model: Map<number, number>[] = labels.map(() => new Map());
  // Values with full fractions, so a sample read from the wrong place cannot pass.
  const value = (i: number, t: number) => Math.sin(t / 7e6 + i) * 1e3 + i / 3;

  async function push(db: DB, pts: [number, number][]): Promise<void> {
    // Shuffled: in-order, out-of-order and retried samples mixed in one batch.
    for (let k = pts.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [pts[k], pts[j]] = [pts[j]!, pts[k]!];
    }
    for (let from = 0; from < pts.length; from += 500) {
      const app = db.appender();
      const part = pts.slice(from, from + 500);
      for (const [i, t] of part) {
        app.append(0, labels[i]!, t, value(i, t));
        model[i]!.set(t, value(i, t));
      }
      const res = await app.commit();
      assert.deepEqual(res, { appended: part.length, rejected: {} });
    }
  }

  function check(db: DB, when: string): void {
    const q = db.querier(now - 30 * HOUR, now + HOUR);
    for (let i = 0; i < SERIES; i++) {
      const set = q.select([newMatcher('=', 's', String(i))]);
      assert.ok(set.next(), `${when}: series ${i}`);
      const got: [number, number][] = [];
      const it = set.at().iterator();
      while (it.next()) got.push([it.t(), it.v()]);
      assert.equal(it.err(), null);
      const want = [...model[i]!].sort((a, b) => a[0] - b[0]);
      assert.equal(got.length, want.length, `${when}: series ${i} sample count`);
      assert.deepEqual(got, want, `${when}: series ${i}`);
    }
  }

  /** Rows and their chunks on disk are in time order, none overlapping; returns samples on disk. */
  function checkDisk(db: DB, when: string): number {
    const h = new ChunkHeader();
    let total = 0;
    for (let i = 0; i < SERIES; i++) {
      const ref = db.head.lookup(labels[i]!)!.ref;
      let prev = Number.NEGATIVE_INFINITY;
      for (const row of db.store.rawRows(ref, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
        assert.ok(row.mint > prev, `${when}: series ${i}: row at ${row.mint} overlaps the one before`);
        let n = 0;
        for (const c of decodeChunkSeq(row.data)) {
          assert.ok(h.parse(c));
          assert.ok(h.mint > prev, `${when}: series ${i}: chunk at ${h.mint} overlaps the one before`);
          assert.ok(h.mint >= row.mint && h.maxt <= row.maxt);
          prev = h.maxt;
          n += h.count;
        }
        assert.equal(n, row.samples);
        total += n;
      }
      // What stays in memory out of order is newer than the start of the open chunk.
      const s = db.head.lookup(labels[i]!)!;
      if (s.oooN > 0)
        assert.ok(s.oooT![0]! >= s.openMinTime(), `${when}: series ${i}: late samples left in memory`);
    }
    return total;
  }

  it('reads exactly before and after persistence and restarts; leaves one ordered sequence on disk', async () => {
    const open = () => DB.open({ dir, persistIntervalMs: 0, warn: () => {} });
    let db = await open();
    // 24 h of in-order data at 30 s, persisted.
    const pts: [number, number][] = [];
    for (let t = now - 24 * HOUR; t <= now - 2 * HOUR; t += 30 * SEC)
      for (let i = 0; i < SERIES; i++) pts.push([i, t]);
    for (const [i, t] of pts.sort((a, b) => a[1] - b[1])) model[i]!.set(t, value(i, t));
    for (let from = 0; from < pts.length; from += 1000) {
      const app = db.appender();
      for (const [i, t] of pts.slice(from, from + 1000)) app.append(0, labels[i]!, t, value(i, t));
      await app.commit();
    }
    db.persist();
    const onDisk0 = checkDisk(db, 'in order');
    assert.ok(onDisk0 > 0);

    for (let round = 0; round < 4; round++) {
      const late: [number, number][] = [];
      for (let i = 0; i < SERIES; i++) {
        // New in-order data, so the open chunk moves on.
        for (let t = now - (2 - round * 0.4) * HOUR; t < now - (1.6 - round * 0.4) * HOUR; t += 30 * SEC) {
          if (!model[i]!.has(t)) late.push([i, t]);
        }
        // Late samples between persisted ones (the stretch is rewritten), in a few places.
        const at = now - (20 - 4 * round) * HOUR - Math.floor(rnd() * 3600) * SEC;
        for (let k = 0; k < 150; k++) late.push([i, at + k * 30 * SEC + 10 * SEC]);
        // Before everything persisted, and retries of samples already stored (no-ops).
        for (let k = 0; k < 20; k++) late.push([i, now - (26 + round) * HOUR + k * 7 * SEC]);
        for (let k = 0; k < 10; k++) late.push([i, now - 24 * HOUR + Math.floor(rnd() * 2000) * 30 * SEC]);
      }
      // Late samples inside the open chunk's range (kept in memory across the persistence).
      const s0 = db.head.lookup(labels[0]!)!;
      if (s0.openCount() > 0) late.push([0, s0.openMinTime() + 5 * SEC]);
      await push(db, late);
      check(db, `round ${round} before persistence`);
      if (round % 2 === 0) db.persist();
      else await db.maintain();
      check(db, `round ${round} after persistence`);
      const onDisk = checkDisk(db, `round ${round}`);
      // Each sample is on disk once: what is not there is in memory (open chunk, late in its range).
      let inMemory = 0;
      for (let i = 0; i < SERIES; i++) {
        const s = db.head.lookup(labels[i]!)!;
        inMemory += s.openCount() + s.oooN;
        assert.equal(s.closed, null);
      }
      const distinct = model.reduce((a, m) => a + m.size, 0);
      assert.equal(onDisk + inMemory, distinct, `round ${round}: samples on disk + in memory`);
      if (round === 1) {
        // Abandoned (as a kill would leave it), then clean.
        db = await open();
        check(db, `round ${round} after an abandoned restart`);
        await db.close();
        db = await open();
        check(db, `round ${round} after a clean restart`);
        checkDisk(db, `round ${round} after restarts`);
      }
    }
    await db.close();
  });
});
