import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import StatsD from 'hot-shots';
import { batchValues } from '../../../test/support/batch.js';
import { tempDir } from '../../../test/support/server.js';
import { labelsToString } from '../../model/labels.js';
import { type Matcher, newMatcher } from '../../model/matcher.js';
import { DB } from '../../tsdb/db.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { StatsdAggregator } from './aggregate.js';
import { parseDatagram } from './parse.js';
import { startStatsd } from './server.js';

/** The newest value of every series whose name starts with `prefix`. */
function latest(db: DB, matchers: Matcher[]): Map<string, number> {
  const q = db.querier(0, Date.now() + 60_000);
  const out = new Map<string, number>();
  try {
    const set = q.select(matchers);
    while (set.next()) {
      const s = set.at();
      const it = s.iterator();
      let v = Number.NaN;
      while (it.next()) v = it.v();
      out.set(labelsToString(s.labels), v);
    }
  } finally {
    q.close();
  }
  return out;
}

describe('StatsD', () => {
  it('parses counters, gauges, timers, sets, rates, DogStatsD tags and several lines per datagram', () => {
    const p = parseDatagram(
      'a.b:1|c|@0.5|#env:prod,role\ng:+3|g\nt:12:15|ms\n_e{1,1}:x|y\nbad|c\nx:1|zz\ns:u1|s',
    );
    assert.equal(p.lines.length, 4);
    assert.equal(p.issues.length, 2);
    assert.deepEqual(p.lines[0], {
      name: 'a.b',
      type: 'c',
      values: [1],
      members: [],
      relative: false,
      rate: 0.5,
      tags: [{ name: 'env', value: 'prod' }],
    });
    assert.equal(p.lines[1]!.relative, true);
    assert.deepEqual(p.lines[2]!.values, [12, 15]);
  });

  it('aggregates per flush: counters cumulative, gauges last (with +/-), timers as histograms in seconds', () => {
    const agg = new StatsdAggregator(DEFAULT_INGEST_LIMITS, 10_000, [0.01, 0.1]);
    for (const l of parseDatagram(
      'hits:2|c\nhits:1|c|@0.25\nq:10|g\nq:-3|g\nlat:5|ms\nlat:50|ms\nu:a|s\nu:a|s\nu:b|s',
    ).lines) {
      assert.ok(agg.add(l, 0));
    }
    const rows = batchValues;
    const first = rows(agg.flush(1000));
    assert.equal(first.get('hits_total{}'), 6);
    assert.equal(first.get('q{}'), 7);
    assert.equal(first.get('lat_bucket{le="0.01"}'), 1);
    assert.equal(first.get('lat_bucket{le="0.1"}'), 2);
    assert.equal(first.get('lat_count{}'), 2);
    assert.equal(first.get('lat_sum{}'), 0.055);
    assert.equal(first.get('u{}'), 2);
    agg.add(parseDatagram('hits:4|c').lines[0]!, 2000);
    const second = rows(agg.flush(3000));
    assert.equal(second.get('hits_total{}'), 10);
    assert.equal(second.get('u{}'), 0);
    const third = rows(agg.flush(11_000));
    assert.equal(third.get('q{}'), 'stale');
    assert.equal(third.get('hits_total{}'), 10);
    assert.equal(rows(agg.flush(13_000)).get('hits_total{}'), 'stale');
  });

  it('hot-shots over real UDP into the database', async () => {
    const dir = tempDir();
    const db = await DB.open({ dir, warn: () => {} });
    const warnings: string[] = [];
    const server = await startStatsd(db, {
      host: '127.0.0.1',
      port: 0,
      flushIntervalMs: 60_000,
      limits: DEFAULT_INGEST_LIMITS,
      report: () => {},
      warn: (m) => warnings.push(m),
    });
    const client = new StatsD({ host: '127.0.0.1', port: server.port, protocol: 'udp', maxBufferSize: 0 });
    const sent = new Promise<void>((resolve, reject) => {
      let pending = 5;
      const done = (err?: Error) => (err ? reject(err) : --pending === 0 && resolve());
      client.increment('checkout.orders', 3, { region: 'eu' }, done);
      client.increment('checkout.orders', 2, { region: 'eu' }, done);
      client.gauge('queue.depth', 17, done);
      client.timing('db.query', 40, done);
      client.set('visitors', 'alice', done);
    });
    try {
      await sent;
      // UDP delivery is asynchronous: wait until the listener has seen all five lines.
      for (let i = 0; i < 100; i++) {
        await server.flush();
        const got = latest(db, [newMatcher('=', '__name__', 'checkout_orders_total')]);
        if (got.get('checkout_orders_total{region="eu"}') === 5) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await server.flush();
      assert.equal(
        latest(db, [newMatcher('=', '__name__', 'checkout_orders_total')]).get(
          'checkout_orders_total{region="eu"}',
        ),
        5,
      );
      assert.equal(latest(db, [newMatcher('=', '__name__', 'queue_depth')]).get('queue_depth{}'), 17);
      assert.equal(latest(db, [newMatcher('=', '__name__', 'db_query_count')]).get('db_query_count{}'), 1);
      assert.equal(latest(db, [newMatcher('=', '__name__', 'db_query_sum')]).get('db_query_sum{}'), 0.04);
      assert.deepEqual(warnings, []);
    } finally {
      await new Promise<void>((r) => client.close(() => r()));
      await server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
