import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDir } from '../../../test/support/server.js';
import { type Label, labelsFromPairs } from '../../model/labels.js';
import { STALE_NAN } from '../../model/sample.js';
import { DB } from '../../tsdb/db.js';
import { DeltaState } from './delta.js';
import { lastStoredIn } from './stored.js';

const series = (name: string, extra: Label[] = []) =>
  labelsFromPairs([{ name: '__name__', value: name }, ...extra]);

async function store(db: DB, labels: ReturnType<typeof series>, points: [number, number][]): Promise<void> {
  const app = db.appender();
  for (const [t, v] of points) app.append(0, labels, t, v);
  await app.commit();
}

describe('delta totals rebuilt from the database', () => {
  it('a series not in memory continues from its newest stored sample; a re-sent export is refused', async () => {
    const dir = tempDir();
    const db = await DB.open({ dir, warn: () => {} });
    try {
      const now = Date.now();
      const jobs = series('jobs_total', [{ name: 'q', value: 'a' }]);
      await store(db, jobs, [
        [now - 20 * 60_000, 4], // older than the recent stretch: found by the wider look
        [now - 60_000, 10],
      ]);
      // Same labels plus one more: must not be taken for the series.
      await store(
        db,
        series('jobs_total', [
          { name: 'q', value: 'a' },
          { name: 'z', value: '1' },
        ]),
        [[now, 99]],
      );
      const state = new DeltaState({ seed: lastStoredIn(db) });
      assert.equal(state.add(jobs, now - 60_000, 5), null, 'the stored export again: refused');
      assert.equal(state.add(jobs, now, 5), 15);
      assert.equal(state.add(jobs, now + 1, 1), 16, 'then in memory');

      const old = series('old_total');
      await store(db, old, [[now - 20 * 60_000, 7]]);
      assert.equal(new DeltaState({ seed: lastStoredIn(db) }).add(old, now, 1), 8);

      // A series whose newest sample is a staleness marker ended: its total starts again.
      const ended = series('ended_total');
      await store(db, ended, [[now - 2000, 3]]);
      const app = db.appender();
      app.append(0, ended, now - 1000, STALE_NAN); // not through an array: that may canonicalise NaN
      await app.commit();
      assert.equal(new DeltaState({ seed: lastStoredIn(db) }).add(ended, now, 2), 2);
      // Never stored: starts from the first delta.
      assert.equal(new DeltaState({ seed: lastStoredIn(db) }).add(series('new_total'), now, 2), 2);
      // Beyond the look-back (a day): starts again.
      const ancient = series('ancient_total');
      await store(db, ancient, [[now - 2 * 86_400_000, 50]]);
      assert.equal(new DeltaState({ seed: lastStoredIn(db) }).add(ancient, now, 1), 1);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without a seed, totals start from the first delta and forget the least recently updated', () => {
    const state = new DeltaState({ maxSeries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => series(n));
    assert.equal(state.add(a!, 1, 1), 1);
    assert.equal(state.add(b!, 1, 1), 1);
    assert.equal(state.add(a!, 2, 1), 2);
    assert.equal(state.add(c!, 1, 1), 1); // b, the least recently updated, is forgotten
    assert.equal(state.add(b!, 2, 5), 5, 'b starts again');
    assert.equal(state.add(c!, 2, 1), 2, 'c was kept (a is now forgotten)');
    assert.equal(state.add(c!, 2, 1), null, 'same time again');
    assert.equal(state.add(c!, 2, 1, true), 3, 'summed when asked');
  });
});
