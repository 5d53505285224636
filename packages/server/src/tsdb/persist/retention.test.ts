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

  it('builds the tiers over raw data before the budget deletes it, so it is degraded, not lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-ret-'));
    dirs.push(dir);
    // Raw retention (15 d) is far: no window is final, so no tier exists until the budget needs it.
    // Full-precision values every 5 s: raw data ~10 times the size of its 5m tier, so that
    // degrading it frees space.
    const opts = { dir, persistIntervalMs: 0, warn: () => {}, maxStorageBytes: 1_000_000 };
    let db = await DB.open(opts);
    const series = 5;
    const end = 2 * DAY;
    const step = 5_000;
    const value = (i: number, t: number) => Math.abs(Math.sin(t * 12.9898 + i * 78.233) * 43_758.5453) % 1;
    for (let h = 0; h < end; h += HOUR) {
      const app = db.appender();
      for (let t = h; t < h + HOUR; t += step)
        for (let i = 0; i < series; i++)
          app.append(0, labelsFromRecord({ __name__: 'g', i: String(i) }), t, value(i, t));
      await app.commit();
      if (h % (6 * HOUR) === 0) await db.maintain();
    }
    await db.maintain();
    const st = db.stats();
    assert.ok(st.compactions.budgetDeletions > 0, 'the budget deleted raw data');
    assert.ok(st.tiers['5m']!.samples > 0, 'the 5m tier was built before raw retention');
    // Counts and sums over whole 5m buckets are what the raw data had, wherever it went.
    const check = (when: string) => {
      const got = dump(db, 0, end);
      for (let i = 0; i < series; i++) {
        const pts = got.get(`g,${i}`)!;
        let want = 0;
        for (let t = 0; t < end; t += step) want += value(i, t);
        assert.equal(pts.length, end / step, `${when}: series ${i} sample count`);
        const sum = pts.reduce((a, p) => a + p[1], 0);
        assert.ok(
          Math.abs(sum - want) <= 1e-6 * Math.abs(want) + 1e-6,
          `${when}: series ${i} sum ${sum}, raw ${want}`,
        );
      }
      assert.ok(
        dump(db, 0, HOUR)
          .get('g,0')!
          .some(([, v], k, a) => k > 0 && v === a[k - 1]![1]),
        `${when}: the oldest hour is read from a tier (bucket means), not raw`,
      );
    };
    check('after the budget');
    // The tiers built early are final: samples before their end are refused from now on.
    const app = db.appender();
    app.append(0, labelsFromRecord({ __name__: 'g', i: '0' }), 2_500, 1);
    const r = await app.commit();
    assert.equal(r.rejected.too_old, 1);
    await db.close();
    db = await DB.open(opts);
    check('after a restart');
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
