import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { labelsFromRecord } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import { isStaleNaN, STALE_NAN } from '../model/sample.js';
import { DB, type DBOptions } from './db.js';
import { listSegments, segmentPath } from './wal/segment.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tinyobs-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const quiet = (dir: string, more: Partial<DBOptions> = {}): DBOptions => ({ dir, warn: () => {}, ...more });

function read(db: DB, name: string): { t: number; v: number; stale: boolean }[] {
  const set = db.querier(0, Number.MAX_SAFE_INTEGER).select([newMatcher('=', '__name__', name)]);
  const out: { t: number; v: number; stale: boolean }[] = [];
  while (set.next()) {
    const it = set.at().iterator();
    while (it.next()) out.push({ t: it.t(), v: it.v(), stale: isStaleNaN(it.v()) });
  }
  return out;
}

describe('database', () => {
  it('keeps every committed sample, stale markers and metadata across a restart', async () => {
    const dir = tempDir();
    let db = await DB.open(quiet(dir));
    const app = db.appender();
    const ref = app.append(0, labelsFromRecord({ __name__: 'up', job: 'a' }), 1000, 1);
    app.append(ref, [], 2000, STALE_NAN);
    app.setMetadata('up', { type: 'gauge', help: 'is it up', unit: '' });
    await app.commit();
    app.append(0, labelsFromRecord({ __name__: 'never_committed' }), 1000, 1);
    app.rollback();
    await db.close();

    db = await DB.open(quiet(dir));
    assert.deepEqual(
      read(db, 'up').map((s) => [s.t, s.stale]),
      [
        [1000, false],
        [2000, true],
      ],
    );
    assert.deepEqual(db.querier(0, 1).metadata('up').get('up'), {
      type: 'gauge',
      help: 'is it up',
      unit: '',
    });
    // Refs survive: appending with the old ref after the restart lands in the same series.
    const app2 = db.appender();
    assert.equal(app2.append(0, labelsFromRecord({ __name__: 'up', job: 'a' }), 3000, 3), ref);
    await app2.commit();
    assert.equal(read(db, 'up').length, 3);
    await db.close();
  });

  it('opens after a torn log tail, keeps everything before it and reports the cut', async () => {
    const dir = tempDir();
    let db = await DB.open(quiet(dir));
    for (let i = 0; i < 3; i++) {
      const app = db.appender();
      app.append(0, labelsFromRecord({ __name__: 'x' }), i * 1000, i);
      await app.commit();
    }
    await db.close();
    const seg = segmentPath(join(dir, 'wal'), listSegments(join(dir, 'wal')).at(-1)!);
    truncateSync(seg, statSync(seg).size - 3);
    const warnings: string[] = [];
    db = await DB.open({ dir, warn: (m) => warnings.push(m) });
    assert.deepEqual(
      read(db, 'x').map((s) => s.t),
      [0, 1000],
    );
    assert.equal(db.replay.cut?.reason, 'torn_record');
    assert.match(warnings[0]!, /cut the write-ahead log/);
    await db.close();
  });
});
