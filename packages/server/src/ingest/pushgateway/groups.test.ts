import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchValues } from '../../../test/support/batch.js';
import type { SampleBatch } from '../batch.js';
import { IngestError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { parseTextExposition } from '../promtext/text.js';
import { type Group, PushGroups } from './groups.js';
import { parseGroupingKey } from './path.js';

function rows(b: SampleBatch): string[] {
  return [...batchValues(b)].map(([k, v]) => `${k} ${v}`).sort();
}

describe('Pushgateway groups', () => {
  const key = parseGroupingKey('job/batch/instance@base64/aG9zdC8x');

  it('grouping keys: job, extra labels, base64 values; bad paths are bad_request', () => {
    assert.deepEqual(key, [
      { name: 'job', value: 'batch' },
      { name: 'instance', value: 'host/1' },
    ]);
    assert.deepEqual(parseGroupingKey('job/a/x@base64/=/y/%20z/'), [
      { name: 'job', value: 'a' },
      { name: 'x', value: '' },
      { name: 'y', value: ' z' },
    ]);
    for (const bad of [
      '',
      'job',
      'foo/bar',
      'job/a/x',
      'job/a/__x/1',
      'job/a/x@base64/!!!',
      'job/%zz',
      'job@base64/=',
    ]) {
      assert.throws(
        () => parseGroupingKey(bad),
        (e: unknown) => e instanceof IngestError && e.code === 'bad_request',
        bad,
      );
    }
  });

  it('PUT replaces the group, POST replaces only the families it carries, DELETE removes it', () => {
    const g = new PushGroups(DEFAULT_INGEST_LIMITS, 60_000);
    const first = g.push(key, parseTextExposition('a{x="1"} 1\na{x="2"} 2\nb 3\n'), true, 1000);
    assert.deepEqual(first.issues, []);
    assert.deepEqual(rows(first), [
      'a{instance="host/1", job="batch", x="1"} 1',
      'a{instance="host/1", job="batch", x="2"} 2',
      'b{instance="host/1", job="batch"} 3',
      'push_time_seconds{instance="host/1", job="batch"} 1',
    ]);
    const post = g.push(key, parseTextExposition('a{x="1"} 10\n'), false, 2000);
    assert.deepEqual(rows(post), [
      'a{instance="host/1", job="batch", x="1"} 10',
      'a{instance="host/1", job="batch", x="2"} stale',
      'b{instance="host/1", job="batch"} 3',
      'push_time_seconds{instance="host/1", job="batch"} 2',
    ]);
    const put = g.push(key, parseTextExposition('c 5\n'), true, 3000);
    assert.deepEqual(rows(put), [
      'a{instance="host/1", job="batch", x="1"} stale',
      'b{instance="host/1", job="batch"} stale',
      'c{instance="host/1", job="batch"} 5',
      'push_time_seconds{instance="host/1", job="batch"} 3',
    ]);
    assert.deepEqual(rows(g.delete(key, 4000)), [
      'c{instance="host/1", job="batch"} stale',
      'push_time_seconds{instance="host/1", job="batch"} stale',
    ]);
    assert.equal(g.size, 0);
  });

  it('a push with an invalid sample changes nothing; groups expire after the TTL', () => {
    const g = new PushGroups(DEFAULT_INGEST_LIMITS, 10_000);
    g.push(key, parseTextExposition('a 1\n'), true, 0);
    const bad = g.push(key, parseTextExposition('b 2\nc 3 1700000000000\nd{__x="1"} 4\n'), true, 1000);
    assert.equal(bad.length, 0);
    assert.equal(bad.issues.length, 2);
    assert.deepEqual(rows(g.tick(5000)), [
      'a{instance="host/1", job="batch"} 1',
      'push_time_seconds{instance="host/1", job="batch"} 0',
    ]);
    assert.deepEqual(rows(g.tick(10_000)), [
      'a{instance="host/1", job="batch"} stale',
      'push_time_seconds{instance="host/1", job="batch"} stale',
    ]);
    assert.equal(g.size, 0);
  });

  it('grouping labels in another order in the URL name the same group', () => {
    const g = new PushGroups(DEFAULT_INGEST_LIMITS, 60_000);
    g.push(parseGroupingKey('job/a/x/1/y/2'), parseTextExposition('m 1\n'), true, 1000);
    const again = g.push(parseGroupingKey('job/a/y/2/x/1'), parseTextExposition('n 2\n'), true, 2000);
    assert.deepEqual(rows(again), [
      'm{job="a", x="1", y="2"} stale',
      'n{job="a", x="1", y="2"} 2',
      'push_time_seconds{job="a", x="1", y="2"} 2',
    ]);
    assert.equal(g.size, 1);
  });

  it('groups saved through a GroupStore come back with restore()', () => {
    const saved = new Map<string, Group>();
    const store = {
      save: (k: string, grp: Group) => saved.set(k, grp),
      remove: (k: string) => saved.delete(k),
    };
    const g = new PushGroups(DEFAULT_INGEST_LIMITS, 60_000, store);
    g.push(key, parseTextExposition('a 1\n'), true, 1000);
    g.push(parseGroupingKey('job/other'), parseTextExposition('b 2\n'), true, 1000);
    g.delete(parseGroupingKey('job/other'), 1500);
    assert.equal(saved.size, 1);
    const after = new PushGroups(DEFAULT_INGEST_LIMITS, 60_000, store);
    after.restore(saved.values());
    assert.deepEqual(rows(after.tick(2000)), [
      'a{instance="host/1", job="batch"} 1',
      'push_time_seconds{instance="host/1", job="batch"} 1',
    ]);
    // The restored group is the same group: a PUT replaces what it held.
    assert.deepEqual(rows(after.push(key, parseTextExposition('c 3\n'), true, 3000)), [
      'a{instance="host/1", job="batch"} stale',
      'c{instance="host/1", job="batch"} 3',
      'push_time_seconds{instance="host/1", job="batch"} 3',
    ]);
  });
});
