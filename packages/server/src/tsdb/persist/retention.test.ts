import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import { StorageError } from '../../storage/errors.js';
import { DB, type DBOptions } from '../db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SERIES = 40;

async function open(more: Partial<DBOptions>): Promise<DB> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyobs-ret-'));
  dirs.push(dir);
  return DB.open({ dir, persistIntervalMs: 0, downsample: false, warn: () => {}, ...more });
}

/** Appends every series from `from` to `to` (exclusive) at 1-minute steps, in hourly commits. */
async function fill(db: DB, from: number, to: number): Promise<void> {
  for (let h = from; h < to; h += HOUR) {
    const app = db.appender();
    for (let t = h; t < Math.min(h + HOUR, to); t += 60_000) {
      for (let i = 0; i < SERIES; i++) {
        app.append(
          0,
          labelsFromRecord({ __name__: 'g', i: String(i) }),
          t,
          Math.round(Math.sin(t / 1e6 + i) * 1000) / 10,
        );
      }
    }
    await app.commit();
  }
}

function dump(db: DB, mint: number, maxt: number): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const set = db.querier(mint, maxt).select([newMatcher('=', '__name__', 'g')]);
  while (set.next()) {
    const s = set.at();
    const pts: [number, number][] = [];
    const it = s.iterator();
    while (it.next()) pts.push([it.t(), it.v()]);
    out.set(s.labels.map((l) => l.value).join(','), pts);
  }
  return out;
}

const minTime = (m: Map<string, [number, number][]>) =>
  Math.min(...[...m.values()].map((p) => p[0]?.[0] ?? Infinity));

describe('retention and the size budget', () => {
  it('drops raw data older than the raw retention, counted from the newest sample', async () => {
    const db = await open({ retentionRawMs: DAY });
    await fill(db, 0, 3 * DAY);
    await db.maintain();
    const kept = dump(db, 0, 3 * DAY);
    assert.ok(minTime(kept) >= 2 * DAY - 4 * HOUR, `oldest kept ${minTime(kept)}`);
    assert.equal(kept.get('g,7')!.at(-1)![0], 3 * DAY - 60_000);
    await db.close();
  });

  it('does not let a sample stamped in the future expire older data', async () => {
    const db = await open({ retentionRawMs: 3 * DAY });
    const start = Math.floor((Date.now() - 2 * DAY) / HOUR) * HOUR;
    await fill(db, start, start + 2 * DAY);
    const app = db.appender();
    app.append(0, labelsFromRecord({ __name__: 'g', i: 'future' }), Date.now() + 365 * DAY, 1);
    await app.commit();
    await db.maintain();
    assert.equal(
      minTime(dump(db, start, start + 3 * DAY)),
      start,
      'retention counts from the wall clock at most',
    );
    await db.close();
  });

  it('deletes the oldest data first when the budget is reached, keeps ingesting, and leaves kept data unchanged', async () => {
    const db = await open({ maxStorageBytes: 180_000 });
    await fill(db, 0, 2 * DAY);
    await db.maintain();
    const before = dump(db, 0, 10 * DAY);
    const deletedBefore = db.stats().compactions.budgetDeletions;
    await fill(db, 2 * DAY, 4 * DAY);
    await db.maintain();
    const st = db.stats();
    assert.ok(st.compactions.budgetDeletions > deletedBefore, `deletions ${JSON.stringify(st.compactions)}`);
    assert.ok(st.bytes.total <= 180_000, `${st.bytes.total} bytes used`);
    const after = dump(db, 0, 10 * DAY);
    const oldest = minTime(after);
    assert.ok(oldest > minTime(before), `the oldest data went first (${oldest})`);
    // Whatever is kept from before is exactly what was there.
    for (const [k, pts] of after) {
      const old = before.get(k)!.filter(([t]) => t >= oldest);
      assert.deepEqual(pts.slice(0, old.length), old);
    }
    // Ingest keeps working.
    await fill(db, 4 * DAY, 4 * DAY + HOUR);
    assert.equal(dump(db, 4 * DAY, 5 * DAY).get('g,3')!.length, 60);
    await db.close();
  });

  it('fails commits with storage_full only when nothing can be freed', async () => {
    const db = await open({ maxStorageBytes: 64 * 1024 });
    await assert.rejects(
      fill(db, 0, 12 * HOUR),
      (err: unknown) =>
        err instanceof StorageError && err.code === 'storage_full' && /budget/.test(err.message),
    );
    await db.close();
  });
});
