import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
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

  it('persists chunks, truncates the log, and reads across disk, open chunks and the log after a restart', async () => {
    const dir = tempDir();
    let db = await DB.open(quiet(dir));
    const ls = labelsFromRecord({ __name__: 'm', job: 'j' });
    const want: [number, number][] = [];
    const commitRange = async (from: number, to: number) => {
      const app = db.appender();
      for (let k = from; k < to; k++) {
        app.append(0, ls, k * 10_000, k * 0.5);
        want.push([k * 10_000, k * 0.5]);
      }
      await app.commit();
    };
    await commitRange(0, 300); // two cut chunks and an open one
    const walBefore = db.walBytes;
    const r = db.persist();
    assert.equal(r.samples, 240);
    assert.ok(db.walBytes < walBefore, 'the log is truncated');
    await commitRange(300, 350); // only in the log
    const ooo = db.appender();
    ooo.append(0, ls, 2_995_000, -1); // out of order, between two samples of the open chunk
    await ooo.commit();
    want.push([2_995_000, -1]);
    want.sort((a, b) => a[0] - b[0]);
    const check = () => {
      const set = db.querier(0, 1e10).select([newMatcher('=', 'job', 'j')]);
      assert.ok(set.next());
      const it = set.at().iterator();
      const got: [number, number][] = [];
      while (it.next()) got.push([it.t(), it.v()]);
      assert.deepEqual(got, want);
    };
    check();
    // Crash (no close), reopen: store + head snapshot + log.
    db = await DB.open(quiet(dir));
    check();
    const st = db.stats();
    assert.equal(st.samples.onDisk, 240);
    assert.equal(st.samples.inHead, want.length - 240);
    assert.equal(st.series, 1);
    await db.close();
    db = await DB.open(quiet(dir));
    check();
    assert.equal(db.replay.records, 0, 'a clean close leaves nothing to replay');
    await db.close();
  });

  it('is not stopped by a pid file of an earlier version naming a live process, and removes it', async () => {
    const dir = tempDir();
    // pid 1 (init) is always alive; only a kernel-held lock stops an open (test/tsdb/lock.test.ts).
    writeFileSync(join(dir, 'LOCK'), '1\n');
    const db = await DB.open(quiet(dir));
    assert.equal(existsSync(join(dir, 'LOCK')), false);
    await db.close();
  });

  it('opens after flipped bytes in the last log record, keeps everything before it and reports the cut', async () => {
    const dir = tempDir();
    const db = await DB.open(quiet(dir));
    for (let i = 0; i < 3; i++) {
      const app = db.appender();
      app.append(0, labelsFromRecord({ __name__: 'x' }), i * 1000, i);
      await app.commit();
    }
    const seg = segmentPath(join(dir, 'wal'), listSegments(join(dir, 'wal')).at(-1)!);
    const bytes = readFileSync(seg);
    bytes[bytes.length - 10]! ^= 0x5a; // inside the last sample record's value
    writeFileSync(seg, bytes);
    const db2 = await DB.open(quiet(dir));
    assert.deepEqual(
      read(db2, 'x').map((s) => [s.t, s.v]),
      [
        [0, 0],
        [1000, 1],
      ],
    );
    assert.equal(db2.replay.cut?.reason, 'checksum_mismatch');
    assert.equal(db2.stats().corruptions.lastWalCut?.segment, listSegments(join(dir, 'wal'))[0]);
    await db2.close();
  });

  it('opens after a torn log tail, keeps everything before it and reports the cut', async () => {
    const dir = tempDir();
    let db = await DB.open(quiet(dir));
    for (let i = 0; i < 3; i++) {
      const app = db.appender();
      app.append(0, labelsFromRecord({ __name__: 'x' }), i * 1000, i);
      await app.commit();
    }
    // No close: a crash leaves the log as the only copy (close would persist and truncate it).
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
    assert.equal(db.stats().corruptions.walCuts, 1);
    await db.close();
  });
});
