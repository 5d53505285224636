/**
 * The property behind "reads by what exists": over seeded PromQL queries (rate, increase,
 * *_over_time, sum by, histogram_quantile, raw selectors), ranges of 1 h to 3 d and steps of 10 s
 * to 1 d, the database with tiers answers exactly as a head-only store holding the same samples
 * wherever raw data is kept; after retention deleted raw data (and part of the 5m tier), answers
 * reaching into the tiers agree within the tolerance documented in tsdb/README.md.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { labelsFromRecord, labelsToRecord } from '../../model/labels.js';
import { Engine } from '../../promql/engine/engine.js';
import type { Appendable, Queryable } from '../../storage/types.js';
import { DB } from '../db.js';
import { Head } from '../head/head.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const SCRAPE = 15 * SEC;
/** Data starts at a multiple of the 1h tier's 3-day window, so that its first window becomes final. */
const T0 = 6000 * 3 * DAY;
const T1 = T0 + 4 * DAY + 2 * HOUR;
const LES = ['0.1', '0.5', '1', '+Inf'];

/** Appends the workload: 3 counters (one resets), 2 gauges, a 4-bucket histogram on 2 instances. */
async function fill(stores: Appendable[]): Promise<void> {
  const rnd = mulberry32(42);
  const counters = [0, 0, 0];
  const gauges = [50, 50];
  const buckets = [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  for (let t = T0; t < T1; t += 10 * MIN) {
    const apps = stores.map((s) => s.appender());
    for (let u = t; u < t + 10 * MIN && u < T1; u += SCRAPE) {
      const add = (labels: Record<string, string>, v: number) => {
        const ls = labelsFromRecord(labels);
        for (const a of apps) a.append(0, ls, u, v);
      };
      for (let i = 0; i < 3; i++) {
        counters[i]! += 1 + Math.floor(rnd() * 10 * (i + 1));
        if (i === 2 && u === T0 + DAY + 7 * HOUR) counters[i] = 3; // a reset
        add({ __name__: 'req_total', i: String(i), job: i < 2 ? 'a' : 'b' }, counters[i]!);
      }
      for (let i = 0; i < 2; i++) {
        gauges[i]! += rnd() - 0.5;
        add({ __name__: 'temp', i: String(i) }, gauges[i]!);
      }
      for (let inst = 0; inst < 2; inst++) {
        const obs = Math.floor(rnd() * 5);
        for (let k = 0; k < obs; k++) {
          const x = rnd() * 1.2;
          for (let b = 0; b < LES.length; b++)
            if (x <= Number(LES[b]) || LES[b] === '+Inf') buckets[inst]![b]!++;
        }
        for (let b = 0; b < LES.length; b++) {
          add({ __name__: 'lat_bucket', inst: String(inst), le: LES[b]! }, buckets[inst]![b]!);
        }
      }
    }
    for (const a of apps) await a.commit();
  }
}

const QUERIES = [
  'rate(req_total[5m])',
  'increase(req_total[1h])',
  'sum by (job) (rate(req_total[10m]))',
  'histogram_quantile(0.9, sum by (le) (rate(lat_bucket[30m])))',
  'avg_over_time(temp[10m])',
  'min_over_time(temp[1h])',
  'max_over_time(temp[15m])',
  'sum_over_time(temp[20m])',
  'count_over_time(temp[10m])',
  'last_over_time(temp[5m])',
  'temp',
  'req_total',
];
const STEPS = [10 * SEC, 15 * SEC, 30 * SEC, MIN, 299 * SEC, 5 * MIN, 10 * MIN, HOUR, 6 * HOUR, DAY];

type Matrix = Map<string, Map<number, number>>;

async function run(engine: Engine, q: Queryable, query: string, start: number, end: number, step: number) {
  const res = await engine.rangeQuery(q, query, start, end, step);
  assert.equal(res.value.resultType, 'matrix');
  const out: Matrix = new Map();
  if (res.value.resultType !== 'matrix') return out;
  for (const s of res.value.result) {
    out.set(JSON.stringify(labelsToRecord(s.metric)), new Map(s.points.map((p) => [p.t, p.v])));
  }
  return out;
}

describe('reads by what exists', () => {
  let dir = '';
  let db: DB;
  const head = new Head();
  const engine = new Engine({ maxPointsPerSeries: 11_000 });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tinyobs-splice-'));
    db = await DB.open({
      dir,
      persistIntervalMs: 0,
      retentionRawMs: DAY,
      retention5mMs: 2 * DAY,
      warn: () => {},
    });
    await fill([db, head]);
    db.persist();
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers exactly as raw data at every step while raw data is kept, with the tiers built', async () => {
    // The first maintenance builds both tiers; retention has no progress to go by yet, so every
    // raw sample is still there: the tiers exist and must not be read.
    await db.maintain();
    const st = db.stats();
    assert.equal(st.tiers['5m'].doneUntil, T0 + 3 * DAY);
    assert.equal(st.tiers['1h'].doneUntil, T0 + 3 * DAY);
    assert.ok(st.tiers['5m'].samples > 0 && st.tiers['1h'].samples > 0);
    assert.equal(st.samples.onDisk + st.samples.inHead, st.samples.appendedSinceOpen);
    const rnd = mulberry32(7);
    for (let k = 0; k < 40; k++) {
      const query = QUERIES[k % QUERIES.length]!;
      const range = HOUR + Math.floor(rnd() * (3 * DAY - HOUR));
      let step = STEPS[Math.floor(rnd() * STEPS.length)]!;
      while (range / step > 11_000) step *= 2;
      const start = T0 + Math.floor(rnd() * (T1 - T0 - range));
      const want = await run(engine, head, query, start, start + range, step);
      const got = await run(engine, db, query, start, start + range, step);
      assert.ok(want.size > 0, `${query}: the reference has series`);
      assert.deepEqual(got, want, `${query} over ${range / HOUR} h at step ${step / SEC} s from ${start}`);
    }
  });

  it('after retention, answers exactly where raw data is kept and within the tolerance where tiers stand in', async () => {
    await db.maintain(); // retention now deletes raw data before the 5m tier's progress (T0 + 3 d)
    assert.ok(db.store.count('raw').samples < db.stats().samples.appendedSinceOpen / 2);
    const rawFrom = T0 + 3 * DAY;
    // Exact after the cut, at every step (the ranges include the functions' windows).
    const rnd = mulberry32(11);
    for (let k = 0; k < 12; k++) {
      const query = QUERIES[k % QUERIES.length]!;
      const step = STEPS[Math.floor(rnd() * 6)]!;
      const start = rawFrom + 2 * HOUR;
      const want = await run(engine, head, query, start, T1, step);
      assert.deepEqual(await run(engine, db, query, start, T1, step), want, `${query} at ${step / SEC} s`);
    }
    // Across the splices (1h tier before T0 + 2 d + 1 h, 5m tier before T0 + 3 d, raw after):
    // windows of whole hours at hour-aligned steps, so every window holds whole buckets.
    const TOLERANCE: Record<string, number> = {
      'rate(req_total[3h])': 0.01,
      'increase(req_total[3h])': 0.01,
      'sum by (job) (rate(req_total[3h]))': 0.01,
      'histogram_quantile(0.9, sum by (le) (rate(lat_bucket[3h])))': 0.02,
      'count_over_time(temp[3h])': 0.01,
      'sum_over_time(temp[3h])': 0.01,
      'avg_over_time(temp[3h])': 0.01,
      'min_over_time(temp[3h])': 0.01,
      'max_over_time(temp[3h])': 0.01,
      // A window narrower than a 1h bucket sees the bucket's increase spread linearly over it.
      'rate(req_total[30m])': 0.1,
      // A plain selector reads a bucket's mean: off by the series' own variation within a bucket.
      temp: 0.2,
    };
    for (const [query, tolerance] of Object.entries(TOLERANCE)) {
      const start = T0 + 6 * HOUR;
      const want = await run(engine, head, query, start, T1, HOUR);
      const got = await run(engine, db, query, start, T1, HOUR);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), query);
      let worst = 0;
      for (const [series, points] of want) {
        const g = got.get(series)!;
        assert.equal(g.size, points.size, `${query} ${series}: a value at every step`);
        for (const [t, v] of points) {
          const err = Math.abs(g.get(t)! - v) / Math.max(Math.abs(v), 1e-9);
          worst = Math.max(worst, err);
        }
      }
      console.log(`# tolerance ${query}: worst relative error ${worst.toExponential(2)}`);
      assert.ok(worst <= tolerance, `${query}: worst relative error ${worst} > ${tolerance}`);
    }
  });
});
