import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import type { SelectHints } from '../../storage/types.js';
import { DB } from '../db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A counter with a reset, sampled every minute for 3.25 days. */
function counter(): [number, number][] {
  const out: [number, number][] = [];
  let v = 0;
  for (let t = 0; t < 3 * DAY + 6 * HOUR; t += MIN) {
    v = t === 30 * HOUR ? 3 : v + (t % 7) / MIN + 1;
    out.push([t, v]);
  }
  return out;
}

/** What a tier must return, computed naively from raw samples. */
function expected(raw: [number, number][], step: number, agg: string, mint: number, maxt: number) {
  const buckets = new Map<
    number,
    { min: number; max: number; sum: number; count: number; last: number; inc: number }
  >();
  let prev: number | null = null;
  for (const [t, v] of raw) {
    const inc = prev === null ? 0 : v >= prev ? v - prev : v;
    prev = v;
    const b = Math.floor(t / step) * step;
    const x = buckets.get(b);
    if (x === undefined) buckets.set(b, { min: v, max: v, sum: v, count: 1, last: v, inc });
    else {
      x.min = Math.min(x.min, v);
      x.max = Math.max(x.max, v);
      x.sum += v;
      x.count++;
      x.last = v;
      x.inc += inc;
    }
  }
  const out: [number, number][] = [];
  for (const [b, x] of [...buckets].sort((a, c) => a[0] - c[0])) {
    const t = b + step - 1;
    if (t < mint || t > maxt) continue;
    out.push([t, x[(agg === 'increase' ? 'inc' : agg) as keyof typeof x]]);
  }
  return out;
}

function read(db: DB, mint: number, maxt: number, hints: SelectHints): [number, number][] {
  const set = db.querier(mint, maxt).select([newMatcher('=', '__name__', 'c')], hints);
  const out: [number, number][] = [];
  while (set.next()) {
    const it = set.at().iterator();
    while (it.next()) out.push([it.t(), it.v()]);
  }
  return out;
}

describe('downsampling', () => {
  it('builds aligned 5m and 1h tiers that agree with the raw data, resumes, and is idempotent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-ds-'));
    dirs.push(dir);
    const raw = counter();
    // Windows are final (no late sample can land in them) once raw retention has passed them.
    const options = { dir, persistIntervalMs: 0, retentionRawMs: 5 * HOUR, warn: () => {} };
    let db = await DB.open(options);
    const ls = labelsFromRecord({ __name__: 'c' });
    const half = Math.floor(raw.length / 2);
    const append = async (from: number, to: number) => {
      const app = db.appender();
      for (const [t, v] of raw.slice(from, to)) app.append(0, ls, t, v);
      await app.commit();
    };
    await append(0, half);
    await db.maintain();
    const first5m = db.stats().tiers['5m'].doneUntil!;
    assert.ok(first5m > 0 && first5m % (6 * HOUR) === 0, 'progress is aligned to windows');
    // Downtime: close, reopen, more data; the next run resumes from the stored progress.
    await db.close();
    db = await DB.open(options);
    await append(half, raw.length);
    await db.maintain();
    const st = db.stats();
    assert.ok(st.tiers['5m'].doneUntil! > first5m);
    assert.equal(st.tiers['1h'].doneUntil, 3 * DAY, 'the first 3-day window of the 1h tier is final');
    assert.ok(st.tiers['5m'].samples > 0 && st.tiers['1h'].samples === 72);

    const end = raw.at(-1)![0];
    for (const [tier, step] of [
      ['5m', 5 * MIN],
      ['1h', HOUR],
    ] as const) {
      for (const agg of ['min', 'max', 'sum', 'count', 'last', 'increase'] as const) {
        // Over stored buckets and the not-yet-aggregated tail alike.
        const got = read(db, 0, end, { tier, aggregate: agg });
        const want = expected(raw, step, agg, 0, end);
        assert.deepEqual(
          got.map((p) => p[0]),
          want.map((p) => p[0]),
          `${tier} ${agg}`,
        );
        // 1h sums add 5m sums: equal up to the rounding of a different summation order.
        for (let i = 0; i < got.length; i++) {
          assert.ok(
            Math.abs(got[i]![1] - want[i]![1]) <= 1e-12 * Math.abs(want[i]![1]),
            `${tier} ${agg} #${i}`,
          );
        }
      }
    }
    // Retention deleted raw data before the first run's progress; after it, the step never
    // picks a tier: raw data is read.
    const kept = raw.filter(([t]) => t >= first5m);
    assert.deepEqual(read(db, first5m, end, { step: HOUR, func: 'rate' }), kept);
    // Rerunning a window replaces its rows with the same ones.
    const before = read(db, 0, end, { tier: '5m', aggregate: 'sum' });
    db.store.setMeta('ds_5m_done', first5m);
    await db.downsample();
    assert.deepEqual(read(db, 0, end, { tier: '5m', aggregate: 'sum' }), before);
    // Raw reads stay exact.
    assert.deepEqual(read(db, first5m, end, {}), kept);
    await db.close();
  });

  it('answers ranges older than the raw retention from the 5m tier, and recent ones raw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-ds-'));
    dirs.push(dir);
    const raw = counter();
    const db = await DB.open({ dir, persistIntervalMs: 0, retentionRawMs: DAY, warn: () => {} });
    const app = db.appender();
    for (const [t, v] of raw) app.append(0, labelsFromRecord({ __name__: 'c' }), t, v);
    await app.commit();
    await db.maintain();
    await db.maintain(); // retention runs again once the tiers have moved on
    const end = raw.at(-1)![0];
    // The 5m tier's progress (newest − 1 day, down to a 6 h window) less the 6 h the next window reads back.
    const cut = 2 * DAY - 6 * HOUR;
    // Before the cut: as many samples as each 5-minute bucket held, spread over it, valued at
    // its mean; after it: the raw samples.
    const sums = expected(raw, 5 * MIN, 'sum', 0, cut - 1);
    const counts = expected(raw, 5 * MIN, 'count', 0, cut - 1);
    const before = read(db, 0, cut + HOUR, {});
    const n = raw.filter(([t]) => t < cut).length;
    assert.deepEqual(
      before.slice(0, n).map((p) => p[0]),
      raw.filter(([t]) => t < cut).map(([t]) => t - 1 + MIN),
    );
    for (let i = 0; i < n; i++) {
      const b = Math.floor(i / 5);
      assert.ok(Math.abs(before[i]![1] - sums[b]![1] / counts[b]![1]) < 1e-9, `sample ${i}`);
    }
    assert.deepEqual(
      before.slice(n),
      raw.filter(([t]) => t >= cut && t <= cut + HOUR),
    );
    // rate() gets a counter whose steps over each bucket are the bucket's increase, resets
    // included, and that joins the raw counter at the cut.
    const c = read(db, 0, cut + HOUR, { func: 'rate' });
    const incs = expected(raw, 5 * MIN, 'inc', 0, cut - 1);
    const ends = c.filter(([t]) => t < cut && (t + 1) % (5 * MIN) === 0);
    assert.deepEqual(
      ends.map((p) => p[0]),
      incs.map((p) => p[0]),
    );
    for (let i = 1; i < ends.length; i++) {
      assert.ok(Math.abs(ends[i]![1] - ends[i - 1]![1] - incs[i]![1]) < 1e-6, `bucket ${i}`);
    }
    const atCut = raw.find(([t]) => t === cut - MIN)![1];
    assert.ok(Math.abs(ends.at(-1)![1] - atCut) < 1e-9 * atCut, 'the last bucket ends at the raw value');
    assert.deepEqual(
      c.slice(n),
      raw.filter(([t]) => t >= cut && t <= cut + HOUR),
    );
    const recent = db.querier(end - HOUR, end).select([newMatcher('=', '__name__', 'c')]);
    assert.ok(recent.next());
    assert.equal(recent.at().tier, undefined);
    await db.close();
  });
});
