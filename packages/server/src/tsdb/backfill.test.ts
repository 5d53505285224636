/**
 * Backfill: samples 6 h, 2 d and 10 d old, inside the default 15-day raw retention, pushed after
 * current data is stored (and persisted), for existing and new series, read back exactly — after
 * a persistence, a crash and a clean restart too; samples older than the retention are refused
 * with the oldest accepted time; duplicate rules hold against persisted samples.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { labelsFromRecord } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import { DB } from './db.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('backfill within raw retention', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyobs-backfill-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts 6 h, 2 d and 10 d old samples after current data, reads them back exactly, also after restarts', async () => {
    const open = () => DB.open({ dir, persistIntervalMs: 0, warn: () => {} });
    let db = await open();
    const now = Math.floor(Date.now() / 1000) * 1000;
    const model = new Map<string, Map<number, number>>();
    const push = async (
      series: string,
      from: number,
      n: number,
      stepMs: number,
      f: (k: number) => number,
    ) => {
      const app = db.appender();
      const ls = labelsFromRecord({ __name__: 'bf', s: series });
      const pts = model.get(series) ?? new Map<number, number>();
      model.set(series, pts);
      for (let k = 0; k < n; k++) {
        app.append(0, ls, from + k * stepMs, f(k));
        pts.set(from + k * stepMs, f(k));
      }
      const res = await app.commit();
      assert.deepEqual(res, { appended: n, rejected: {} }, `${series} from ${now - from} ms ago`);
    };
    const check = (when: string) => {
      for (const [series, pts] of model) {
        const set = db.querier(now - 16 * DAY, now + HOUR).select([newMatcher('=', 's', series)]);
        assert.ok(set.next(), `${when}: ${series}`);
        const got: [number, number][] = [];
        const it = set.at().iterator();
        while (it.next()) got.push([it.t(), it.v()]);
        assert.deepEqual(
          got,
          [...pts].sort((a, b) => a[0] - b[0]),
          `${when}: ${series}`,
        );
      }
    };
    try {
      // Current data, persisted: the series' newest is now.
      await push('a', now - HOUR, 240, 15_000, (k) => k);
      await push('b', now - HOUR, 240, 15_000, (k) => k * 1.5);
      db.persist();
      // Late data for existing series and for a new one, in and out of order within each push.
      for (const age of [6 * HOUR, 2 * DAY, 10 * DAY]) {
        await push('a', now - age, 500, 10_000, (k) => Math.sin(k) * 1e3 + age);
        await push('b', now - age - 5 * MIN, 200, 7_000, (k) => 0.1 * k);
        await push(`new${age}`, now - age, 300, 15_000, (k) => k * 3.25);
      }
      // Reversed order inside one batch, 3 days back.
      const app = db.appender();
      const ls = labelsFromRecord({ __name__: 'bf', s: 'a' });
      for (let k = 99; k >= 0; k--) {
        app.append(0, ls, now - 3 * DAY + k * 1000, -k);
        model.get('a')!.set(now - 3 * DAY + k * 1000, -k);
      }
      assert.deepEqual(await app.commit(), { appended: 100, rejected: {} });
      check('in memory');
      db.persist();
      check('persisted');
      // Duplicates against persisted late samples: same value a no-op, another value refused.
      const dup = db.appender();
      dup.append(0, ls, now - 10 * DAY, model.get('a')!.get(now - 10 * DAY)!);
      dup.append(0, ls, now - 10 * DAY + 10_000, 12345);
      assert.deepEqual(await dup.commit(), { appended: 1, rejected: { duplicate_timestamp: 1 } });
      // Older than raw retention: refused, naming the oldest accepted time.
      const old = db.appender();
      old.append(0, ls, now - 16 * DAY, 1);
      const res = await old.commit();
      assert.equal(res.rejected.too_old, 1);
      assert.ok(res.oldestAccepted! > now - 16 * DAY && res.oldestAccepted! <= now - 15 * DAY + MIN);
      await push('a', now - 9 * DAY, 10, 1000, (k) => k); // more late data, left in the log
      db = await open(); // crash: the old handle is abandoned
      check('after a crash');
      await db.close();
      db = await open();
      check('after a clean restart');
      await db.close();
    } finally {
      await db.close();
    }
  });
});
