/**
 * Background persistence runs in slices between which commits and reads go on: what is read
 * during it is exact, commits made during it are kept, and a crash between its slices leaves no
 * trace (the rows it wrote are dropped at the next open; the log still holds their samples).
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import { DB } from '../db.js';
import { recoder } from '../head/series.js';

const SERIES = 700; // a few slices
const dir = mkdtempSync(join(tmpdir(), 'tinyobs-bg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function countAll(db: DB): number {
  const set = db.querier(0, 1e15).select([newMatcher('=', '__name__', 'bg')]);
  let n = 0;
  while (set.next()) {
    const it = set.at().iterator();
    let prev = Number.NEGATIVE_INFINITY;
    while (it.next()) {
      assert.ok(it.t() > prev, 'no sample read twice');
      prev = it.t();
      n++;
    }
  }
  return n;
}

async function append(db: DB, from: number, n: number): Promise<void> {
  const app = db.appender();
  for (let i = 0; i < SERIES; i++) {
    for (let k = from; k < from + n; k++)
      app.append(0, labelsFromRecord({ __name__: 'bg', i: String(i) }), k * 10_000, k);
  }
  const r = await app.commit();
  assert.equal(r.appended, SERIES * n);
}

describe('background persistence', () => {
  it('keeps reads exact and commits flowing between its slices, and a crash mid-way loses nothing', async () => {
    const open = () => DB.open({ dir, persistIntervalMs: 0, downsample: false, warn: () => {} });
    let db = await open();
    await append(db, 0, 300);
    let expected = SERIES * 300;
    const run = db.maintain();
    let turns = 0;
    let done = false;
    void run.then(() => {
      done = true;
    });
    while (!done) {
      assert.equal(countAll(db), expected, `reads during the run (turn ${turns})`);
      // 40 samples a turn: the open chunks (60 samples at the start) are cut during the run, so
      // its head snapshot comes from the chunks they were cut into.
      await append(db, 300 + turns * 40, 40);
      expected += SERIES * 40;
      turns++;
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(turns >= 2, `commits interleaved with the run (${turns})`);
    assert.equal(countAll(db), expected);
    // What that run snapshotted plus the log from its segment on is everything: reopen.
    db = await open();
    assert.equal(countAll(db), expected, 'after reopening');
    // A crash between the slices of the next run: abandon the handle after its first slice.
    await append(db, 2000, 150);
    expected += SERIES * 150;
    // (A run first waits for the chunks cut so far to be re-encoded: let that be done already.)
    await recoder.flushed();
    void db.maintain().catch(() => {});
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const uncommitted = db.store.count('raw').samples;
    // The crash: the run's store goes away under it (its next slice fails), the handle is abandoned.
    db.store.close();
    db = await open();
    assert.ok(db.store.count('raw').samples < uncommitted, 'the uncommitted slices were dropped');
    assert.equal(countAll(db), expected);
    await db.close();
    db = await open();
    assert.equal(countAll(db), expected);
    await db.close();
  });
});
