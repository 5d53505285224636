import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { type Labels, labelsFromRecord, labelsToRecord } from '../../model/labels.js';
import { type MatchType, newMatcher } from '../../model/matcher.js';
import { isStaleNaN, STALE_NAN } from '../../model/sample.js';
import type { Querier } from '../../storage/types.js';
import { decodeRecord } from '../record/record.js';
import { Head, type HeadOptions } from './head.js';

const L = (r: Record<string, string>): Labels => labelsFromRecord(r);

function samples(q: Querier, ...ms: [MatchType, string, string][]) {
  const set = q.select(ms.map(([t, n, v]) => newMatcher(t, n, v)));
  const out: { labels: Record<string, string>; points: [number, number][] }[] = [];
  while (set.next()) {
    const s = set.at();
    const it = s.iterator();
    const points: [number, number][] = [];
    while (it.next()) points.push([it.t(), it.v()]);
    out.push({ labels: labelsToRecord(s.labels), points });
  }
  return out;
}

async function seeded(options: HeadOptions = {}): Promise<Head> {
  const head = new Head(options);
  const app = head.appender();
  for (let t = 0; t < 5; t++) {
    app.append(0, L({ __name__: 'up', job: 'api', instance: 'a' }), t * 1000, t);
    app.append(0, L({ __name__: 'up', job: 'api', instance: 'b' }), t * 1000, 10 + t);
    app.append(0, L({ __name__: 'up', job: 'db', instance: 'c' }), t * 1000, 20 + t);
    app.append(0, L({ __name__: 'errors_total', job: 'api' }), t * 1000, 30 + t);
  }
  await app.commit();
  return head;
}

describe('head', () => {
  it('selects series by all four matcher types through the index', async () => {
    const q = (await seeded()).querier(0, 10_000);
    const names = (r: ReturnType<typeof samples>) =>
      r.map((s) => `${s.labels.__name__}/${s.labels.instance ?? ''}`);
    assert.deepEqual(names(samples(q, ['=', '__name__', 'up'], ['=', 'job', 'api'])), ['up/a', 'up/b']);
    assert.deepEqual(names(samples(q, ['=', '__name__', 'up'], ['!=', 'job', 'api'])), ['up/c']);
    assert.deepEqual(names(samples(q, ['=~', 'instance', 'a|c'])), ['up/a', 'up/c']);
    assert.deepEqual(names(samples(q, ['=~', '__name__', '.+'], ['!~', 'job', 'a.*'])), ['up/c']);
    // An absent label equals the empty string.
    assert.deepEqual(names(samples(q, ['=~', '__name__', '.+'], ['=', 'instance', ''])), ['errors_total/']);
  });

  it('returns only samples inside the querier range, and seek finds the first at or after t', async () => {
    const head = await seeded();
    const [s] = samples(head.querier(1000, 3000), ['=', 'instance', 'a']);
    assert.deepEqual(s!.points, [
      [1000, 1],
      [2000, 2],
      [3000, 3],
    ]);
    const set = head.querier(0, 10_000).select([newMatcher('=', 'instance', 'b')]);
    assert.ok(set.next());
    const it = set.at().iterator();
    assert.ok(it.seek(2500));
    assert.deepEqual([it.t(), it.v()], [3000, 13]);
    assert.ok(it.seek(1000), 'seek never moves backwards');
    assert.equal(it.t(), 3000);
    assert.ok(it.next());
    assert.equal(it.t(), 4000);
    assert.equal(it.seek(9000), false);
  });

  it('accepts late samples at any age, refuses conflicting duplicates, keeps same-value retries', async () => {
    const head = await seeded();
    const app = head.appender();
    const ls = L({ __name__: 'up', job: 'api', instance: 'a' });
    app.append(0, ls, 3500, 99); // older than the newest (4000), between two stored samples
    app.append(0, ls, -86_400_000, 7); // a day before everything else
    app.append(0, ls, 1000, 7); // a conflict with the stored sample at 1000
    app.append(0, ls, 1000, 1); // a retry of it
    app.append(0, ls, 4000, 4); // retry of the newest
    app.append(0, ls, 4000, 5); // conflict with the newest
    app.append(0, ls, 6000, 6);
    app.append(0, ls, 5500, 5.5); // behind the batch's own newest
    app.append(0, ls, 6000, 7); // conflict inside the batch
    const res = await app.commit();
    assert.deepEqual(res, { appended: 6, rejected: { duplicate_timestamp: 3 } });
    assert.equal(head.stats.outOfOrderAccepted, 3);
    const [s] = samples(head.querier(-1e9, 10_000), ['=', 'instance', 'a']);
    assert.deepEqual(s!.points, [
      [-86_400_000, 7],
      [0, 0],
      [1000, 1],
      [2000, 2],
      [3000, 3],
      [3500, 99],
      [4000, 4],
      [5500, 5.5],
      [6000, 6],
    ]);
  });

  it('finds every stored sample of the open chunk when judging late ones, the last two included', async () => {
    const head = new Head();
    const ls = L({ __name__: 'up', job: 'api' });
    const rnd = mulberry32(7);
    const stored: number[] = [];
    let t = 0;
    for (let i = 0; i < 60; i++) {
      t += 1 + Math.floor(rnd() * 20_000);
      stored.push(t);
      const app = head.appender();
      app.append(0, ls, t, i);
      await app.commit();
      // Every stored timestamp is a duplicate (with another value), every gap a new sample.
      for (let k = 0; k < stored.length; k++) {
        const s = head.lookup(ls)!;
        assert.equal(
          head.verdict(s.ref, stored[k]!, -1, -Infinity, Infinity),
          'duplicate_timestamp',
          `t=${stored[k]}`,
        );
        assert.equal(head.verdict(s.ref, stored[k]!, k, -Infinity, Infinity), 'same_duplicate');
        if (k > 0 && stored[k]! - stored[k - 1]! > 1) {
          assert.equal(head.verdict(s.ref, stored[k]! - 1, 0, -Infinity, Infinity), 'out_of_order_ok');
        }
      }
    }
  });
  it('refuses samples older than the retention behind the newest sample, for new series too', async () => {
    const head = new Head({ retentionMs: 3_600_000 });
    const app = head.appender();
    const newest = 10 * 3_600_000;
    app.append(0, L({ __name__: 'late', job: 'a' }), newest, 1);
    await app.commit();
    app.append(0, L({ __name__: 'late', job: 'b' }), newest - 2 * 3_600_000, 1); // a new series, 2 h late
    app.append(0, L({ __name__: 'late', job: 'c' }), newest - 3_600_000, 1); // exactly at the bound
    app.append(0, L({ __name__: 'late', job: 'a' }), newest - 3_600_001, 1); // just past it
    const res = await app.commit();
    assert.deepEqual(res, { appended: 1, rejected: { too_old: 2 }, oldestAccepted: newest - 3_600_000 });
    assert.equal(head.stats.tooOldRejected, 2);
  });

  it('logs the record of a series first stored through a ref, once, before its samples', async () => {
    const records: string[] = [];
    const log = {
      write(payloads: readonly Uint8Array[]) {
        for (const p of payloads)
          decodeRecord(p, {
            series: (entries) => records.push(...entries.map((e) => `series ${e.ref}`)),
            sample: (ref, t) => records.push(`sample ${ref} ${t}`),
            metadata: () => {},
          });
      },
      durable: async () => {},
    };
    const head = new Head({ log, retentionMs: 1000 });
    const app = head.appender();
    app.append(0, L({ __name__: 'up', instance: 'a' }), 5000, 1);
    await app.commit();
    // A new series whose only sample is refused (too old) exists, but not in the log.
    const b = L({ __name__: 'up', instance: 'b' });
    const ref = app.append(0, b, 1000, 1);
    assert.equal((await app.commit()).rejected.too_old, 1);
    // A client that kept that ref stores through it: the record must come first, and only once.
    app.append(ref, b, 4500, 2);
    app.append(ref, b, 4600, 3);
    await app.commit();
    app.append(ref, b, 4700, 4);
    await app.commit();
    assert.deepEqual(records, [
      'series 1',
      'sample 1 5000',
      `series ${ref}`,
      `sample ${ref} 4500`,
      `sample ${ref} 4600`,
      `sample ${ref} 4700`,
    ]);
  });

  it('refuses samples too far in the future without moving the series newest', async () => {
    const head = new Head({ maxFutureMs: 60_000 });
    const ls = L({ __name__: 'g' });
    const now = Date.now();
    const app = head.appender();
    app.append(0, ls, now - 1000, 1);
    app.append(0, ls, now + 3_600_000, 2); // an hour ahead
    app.append(0, ls, Date.UTC(2030, 0, 1), 3);
    const res = await app.commit();
    assert.deepEqual(res, { appended: 1, rejected: { too_far_future: 2 }, maxFutureMs: 60_000 });
    // The series goes on accepting current samples, in order.
    app.append(0, ls, now, 4);
    assert.deepEqual(await app.commit(), { appended: 1, rejected: {} });
    assert.equal(head.columns.newest[head.lookup(ls)!.ref], now);
    assert.equal(head.stats.outOfOrderAccepted, 0);
    assert.equal(head.stats.tooFarFutureRejected, 2);
  });

  it('reads back many chunks with out-of-order samples merged, and seeks across chunks', async () => {
    const head = new Head();
    const ls = L({ __name__: 'm' });
    const expected = new Map<number, number>();
    const rnd = mulberry32(7);
    for (let b = 0; b < 50; b++) {
      const app = head.appender();
      for (let k = 0; k < 20; k++) {
        const t = (b * 20 + k) * 1000;
        if (rnd() < 0.2) continue; // leave holes for out-of-order fills
        app.append(0, ls, t, t / 10);
        expected.set(t, t / 10);
      }
      // Out-of-order fills of earlier holes, inside the window.
      for (let k = 0; k < 5; k++) {
        const t = (b * 20 - Math.floor(rnd() * 40)) * 1000; // at most 59 s behind the newest
        if (t < 0 || expected.has(t)) continue;
        app.append(0, ls, t, t / 10);
        expected.set(t, t / 10);
      }
      await app.commit();
    }
    const want = [...expected.entries()].sort((a, b) => a[0] - b[0]);
    const [s] = samples(head.querier(0, 1e9), ['=', '__name__', 'm']);
    assert.deepEqual(s!.points, want);
    assert.ok(head.stats.outOfOrderAccepted > 0);
    const [part] = samples(head.querier(123_500, 456_000), ['=', '__name__', 'm']);
    assert.deepEqual(
      part!.points,
      want.filter(([t]) => t >= 123_500 && t <= 456_000),
    );
    const set = head.querier(0, 1e9).select([newMatcher('=', '__name__', 'm')]);
    assert.ok(set.next());
    const it = set.at().iterator();
    for (const target of [5_500, 300_000, 300_000, 777_777]) {
      const first = want.find(([t]) => t >= target)!;
      assert.ok(it.seek(target));
      assert.deepEqual([it.t(), it.v()], first);
    }
    assert.equal(it.seek(2e9), false);
  });

  it('refuses new series beyond the series limits and names the metrics', async () => {
    const head = new Head({ maxSeries: 3, maxSeriesPerMetric: 2 });
    const app = head.appender();
    app.append(0, L({ __name__: 'a', i: '1' }), 1, 1);
    app.append(0, L({ __name__: 'a', i: '2' }), 1, 1);
    assert.equal(app.append(0, L({ __name__: 'a', i: '3' }), 1, 1), 0); // third of metric a
    app.append(0, L({ __name__: 'b', i: '1' }), 1, 1);
    app.append(0, L({ __name__: 'c', i: '1' }), 1, 1); // fourth in total
    app.append(0, L({ __name__: 'a', i: '1' }), 2, 2); // existing series: fine
    const res = await app.commit();
    assert.deepEqual(res, { appended: 4, rejected: { too_many_series: 2 }, limitedMetrics: ['a', 'c'] });
  });

  it('keeps the samples of appenders open at the same time apart (their buffers are reused)', async () => {
    const head = new Head();
    const ls = (k: string) => L({ __name__: 'm', k });
    const a = head.appender();
    const b = head.appender();
    for (let t = 0; t < 100; t++) a.append(0, ls('a'), t, t);
    for (let t = 0; t < 70; t++) b.append(0, ls('b'), t, -t);
    await a.commit();
    // Takes the buffers `a` gave back while `b` still holds its own.
    const c = head.appender();
    for (let t = 0; t < 50; t++) c.append(0, ls('c'), t, t * 10);
    for (let t = 70; t < 90; t++) b.append(0, ls('b'), t, -t);
    await Promise.all([b.commit(), c.commit()]);
    const got = samples(head.querier(0, 1000), ['=', '__name__', 'm']);
    const want = (k: string, n: number, f: (t: number) => number) => ({
      labels: { __name__: 'm', k },
      points: Array.from({ length: n }, (_, t) => [t, f(t)]),
    });
    assert.deepEqual(got, [want('a', 100, (t) => t), want('b', 90, (t) => -t), want('c', 50, (t) => t * 10)]);
  });

  it('makes nothing visible before commit and nothing after rollback', async () => {
    const head = new Head();
    const app = head.appender();
    app.append(0, L({ __name__: 'x' }), 1, 1);
    assert.deepEqual(samples(head.querier(0, 10), ['=', '__name__', 'x']), []);
    app.rollback();
    await app.commit();
    assert.deepEqual(samples(head.querier(0, 10), ['=', '__name__', 'x']), []);
  });

  it('keeps the stale marker bit pattern', async () => {
    const head = new Head();
    const app = head.appender();
    app.append(0, L({ __name__: 'x' }), 1, STALE_NAN);
    await app.commit();
    // Read the value straight from the iterator: a JS array literal would quiet the NaN.
    const set = head.querier(0, 10).select([newMatcher('=', '__name__', 'x')]);
    assert.ok(set.next());
    const it = set.at().iterator();
    assert.ok(it.next());
    assert.ok(isStaleNaN(it.v()));
  });

  it('lists label names and values, optionally restricted by matchers', async () => {
    const q = (await seeded()).querier(0, 10_000);
    assert.deepEqual(q.labelNames(), ['__name__', 'instance', 'job']);
    assert.deepEqual(q.labelValues('job'), ['api', 'db']);
    assert.deepEqual(q.labelValues('instance', [newMatcher('=', 'job', 'api')]), ['a', 'b']);
    assert.deepEqual(q.labelNames([newMatcher('=', '__name__', 'errors_total')]), ['__name__', 'job']);
  });

  it('lists only labels of series with samples in the querier range', async () => {
    const head = await seeded(); // samples at 0…4000
    const app = head.appender();
    app.append(0, L({ __name__: 'late', zone: 'z1' }), 9000, 1);
    await app.commit();
    assert.deepEqual(head.querier(8000, 10_000).labelNames(), ['__name__', 'zone']);
    assert.deepEqual(head.querier(8000, 10_000).labelValues('__name__'), ['late']);
    assert.deepEqual(head.querier(0, 5000).labelValues('__name__'), ['errors_total', 'up']);
    assert.deepEqual(head.querier(0, 5000).labelValues('zone'), []);
  });
});
