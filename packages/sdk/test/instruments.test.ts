import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTinyObs, type MetricPoint, type TinyObs, TinyObsError } from '../src/index.js';

function client(warnings: string[] = []): TinyObs {
  return createTinyObs({
    service: 'test',
    instance: false,
    flushIntervalMs: 0,
    shutdownOnExit: false,
    onWarning: (m) => warnings.push(m),
  });
}

function find(points: MetricPoint[], name: string, labels: Record<string, string> = {}): MetricPoint[] {
  return points.filter((p) => p.name === name && Object.entries(labels).every(([k, v]) => p.labels[k] === v));
}

describe('counter', () => {
  it('aggregates any number of calls into one cumulative point per series', async () => {
    const obs = client();
    const c = obs.counter({ name: 'reqs_total', labelNames: ['method', 'status'] });
    for (let i = 0; i < 1000; i++) c.inc({ method: 'GET', status: 200 });
    c.add(5, { status: '200', method: 'GET' });
    c.inc({ method: 'POST', status: 500 });
    let pts = await obs.collect();
    assert.equal(find(pts, 'reqs_total').length, 2);
    assert.equal(find(pts, 'reqs_total', { method: 'GET', status: '200' })[0]?.value, 1005);
    c.inc({ method: 'GET', status: 200 });
    pts = await obs.collect();
    assert.equal(
      find(pts, 'reqs_total', { method: 'GET', status: '200' })[0]?.value,
      1006,
      'cumulative across pushes',
    );
  });

  it('labels every series with service and default labels, omitting empty labels', async () => {
    const obs = createTinyObs({
      service: 'api',
      instance: 'host-1',
      defaultLabels: { env: 'dev' },
      flushIntervalMs: 0,
      shutdownOnExit: false,
    });
    const c = obs.counter({ name: 'x_total', labelNames: ['a', 'b'] });
    c.inc({ a: '1', b: '' });
    c.inc({ a: '1' });
    const pts = find(await obs.collect(), 'x_total');
    assert.equal(pts.length, 1, 'an empty label and a missing one are the same series');
    assert.deepEqual(pts[0]?.labels, { env: 'dev', service: 'api', instance: 'host-1', a: '1' });
    assert.equal(pts[0]?.value, 2);
  });

  it('treats inc() and inc({}) as the same series', async () => {
    const obs = client();
    const c = obs.counter({ name: 'y_total', labelNames: ['a'] });
    c.inc();
    c.inc({});
    assert.equal(find(await obs.collect(), 'y_total')[0]?.value, 2);
  });

  it('drops bad input without throwing, warns once per metric and reason, and counts it', async () => {
    const warnings: string[] = [];
    const obs = client(warnings);
    const c = obs.counter({ name: 'z_total', labelNames: ['a'] });
    c.add(-1);
    c.add(Number.NaN);
    c.add(Number.POSITIVE_INFINITY);
    c.add('3' as unknown as number);
    c.inc({ a: 'ok', nope: 'x' } as unknown as { a: string });
    c.inc({ a: {} } as unknown as { a: string });
    c.inc(42 as unknown as { a: string });
    assert.equal(find(await obs.collect(), 'z_total').length, 0);
    const dropped = find(await obs.collect(), 'tinyobs_sdk_dropped_total');
    const by = Object.fromEntries(dropped.map((p) => [p.labels.reason, p.value]));
    assert.deepEqual(by, { invalid_value: 4, unknown_label: 1, invalid_label: 2 });
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings[0]!, /z_total/);
  });

  it('treats 200 and "200", and an empty and a missing label, as one series', async () => {
    const obs = client();
    const c = obs.counter({ name: 'same_series_total', labelNames: ['status', 'x'] });
    c.inc({ status: 200 });
    c.inc({ status: '200' });
    c.inc({ status: 200, x: '' });
    c.inc({ x: undefined, status: '200' });
    const pts = find(await obs.collect(), 'same_series_total');
    assert.equal(pts.length, 1);
    assert.equal(pts[0]?.value, 4);
  });

  it('drops an unknown label even when the known ones name an existing series', async () => {
    const obs = client();
    const c = obs.counter({ name: 'known_total', labelNames: ['a'] });
    c.inc({ a: '1' });
    c.inc({ a: '1', b: '2' } as unknown as { a: string });
    c.inc({ a: '1', b: undefined } as unknown as { a: string });
    assert.equal(find(await obs.collect(), 'known_total')[0]?.value, 2, 'an explicit undefined is allowed');
    assert.equal(obs.stats().dropped.unknown_label, 1);
  });

  it('does not let an object whose text names an existing series reach it', async () => {
    const obs = client();
    const c = obs.counter({ name: 'obj_total', labelNames: ['a'] });
    c.inc({ a: '[object Object]' });
    for (let i = 0; i < 3; i++) c.inc({ a: {} as unknown as string });
    assert.equal(find(await obs.collect(), 'obj_total')[0]?.value, 1);
    assert.equal(obs.stats().dropped.invalid_label, 3);
  });

  it('never throws from a record call, whatever the labels object does', () => {
    const obs = client();
    const c = obs.counter({ name: 'weird_total', labelNames: ['a'] });
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => ['zz'],
        getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true, value: 1 }),
      },
    );
    c.inc(hostile as { a: string });
    c.inc(null as unknown as { a: string });
    c.inc('x' as unknown as { a: string });
    c.add(Number.NaN, { a: Symbol('s') as unknown as string });
    c.inc({ a: Symbol('s') as unknown as string });
    c.inc({
      get a(): string {
        throw new Error('getter');
      },
    });
    c.bind({ a: 1n as unknown as string }).inc();
  });

  it('drops a label value longer than the server accepts, instead of sending a batch it refuses', async () => {
    const obs = client();
    const c = obs.counter({ name: 'long_total', labelNames: ['v'] });
    c.inc({ v: 'x'.repeat(2049) });
    c.inc({ v: 'x'.repeat(2048) });
    assert.equal(find(await obs.collect(), 'long_total').length, 1);
    assert.equal(obs.stats().dropped.invalid_label, 1);
    assert.throws(() => obs.counter({ name: 'n'.repeat(257) }), { code: 'invalid_config' });
  });

  it('bound handles update the same series as labelled calls', async () => {
    const obs = client();
    const c = obs.counter({ name: 'b_total', labelNames: ['route'] });
    const h = c.bind({ route: '/health' });
    h.inc();
    h.add(2);
    h.add(-5);
    c.inc({ route: '/health' });
    assert.equal(find(await obs.collect(), 'b_total')[0]?.value, 4);
    assert.equal(obs.stats().dropped.invalid_value, 1);
  });

  it('caps series per metric and sends the rest to one overflow series', async () => {
    const warnings: string[] = [];
    const obs = createTinyObs({
      service: 't',
      instance: false,
      flushIntervalMs: 0,
      shutdownOnExit: false,
      maxSeriesPerMetric: 3,
      onWarning: (m) => warnings.push(m),
    });
    const c = obs.counter({ name: 'cap_total', labelNames: ['id'] });
    for (let i = 0; i < 10; i++) c.inc({ id: i });
    const pts = find(await obs.collect(), 'cap_total');
    assert.equal(pts.length, 4);
    assert.equal(find(pts, 'cap_total', { tinyobs_overflow: 'true' })[0]?.value, 7);
    assert.equal(warnings.filter((w) => w.includes('overflow')).length, 1);
  });
});

describe('errors that teach', () => {
  it('inc(5) says that inc() takes labels and add(5) adds 5', async () => {
    const warnings: string[] = [];
    const obs = client(warnings);
    const c = obs.counter({ name: 'habit_total', labelNames: ['route'] });
    c.inc(5 as unknown as { route: string });
    assert.equal(find(await obs.collect(), 'habit_total').length, 0, 'nothing recorded');
    assert.equal(obs.stats().dropped.invalid_label, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /habit_total: .*got the number 5: inc\(\) .* to add 5, call add\(5, labels\)/);
  });

  it('a missing label is recorded without it, warned once per metric, and counted', async () => {
    const warnings: string[] = [];
    const obs = client(warnings);
    const c = obs.counter({ name: 'partial_total', labelNames: ['method', 'route', 'status'] });
    c.inc({ method: 'GET', route: '/a', status: 200 });
    c.inc({ method: 'GET' }); // slow path: a new series
    c.inc({ method: 'GET' }); // fast path: the series exists
    c.inc({ method: 'GET', route: '', status: '' }); // empty on purpose: not missing
    const h = obs.histogram({ name: 'partial_seconds', labelNames: ['op'] });
    h.observe(1);
    assert.equal(obs.stats().missingLabels, 3);
    assert.deepEqual(
      warnings.map((w) => w.split(':')[1]?.trim()),
      ['partial_total', 'partial_seconds'],
      warnings.join('\n'),
    );
    assert.match(warnings[0]!, /no value for labels route, status; it is recorded without them/);
    const pts = await obs.collect();
    assert.equal(
      find(pts, 'partial_total', { method: 'GET' }).find((p) => p.labels.route === undefined)?.value,
      3,
    );
    const counted = Object.fromEntries(
      find(pts, 'tinyobs_sdk_missing_labels_total').map((p) => [p.labels.metric, p.value]),
    );
    assert.deepEqual(counted, { partial_total: 2, partial_seconds: 1 });
  });
});

describe('registration', () => {
  it('returns the same instrument for the same definition', () => {
    const obs = client();
    const a = obs.counter({ name: 'same_total', labelNames: ['x', 'y'] });
    const b = obs.counter({ name: 'same_total', labelNames: ['y', 'x'] });
    assert.equal(a, b);
  });

  it('throws a conflict error naming both definitions in words', () => {
    const obs = client();
    obs.counter({ name: 'jobs', labelNames: ['queue', 'outcome'] });
    assert.throws(() => obs.gauge({ name: 'jobs' }), {
      code: 'conflict',
      message:
        'cannot define jobs as a gauge with no labels: it is already defined as a counter with labels outcome, queue; use the same definition, or another name',
    });
    obs.histogram({ name: 'lat', unit: 'seconds', buckets: [0.1, 1] });
    assert.throws(() => obs.histogram({ name: 'lat', unit: 'seconds', buckets: [0.5] }), {
      message:
        /as a histogram with no labels and unit seconds and buckets 0\.5: it is already defined as a histogram with no labels and unit seconds and buckets 0\.1, 1;/,
    });
  });

  it('throws a conflict error for a different definition', () => {
    const obs = client();
    obs.counter({ name: 'c_total', labelNames: ['x'] });
    assert.throws(() => obs.counter({ name: 'c_total', labelNames: ['y'] }), { code: 'conflict' });
    assert.throws(() => obs.gauge({ name: 'c_total', labelNames: ['x'] }), { code: 'conflict' });
    obs.histogram({ name: 'h', buckets: [1, 2] });
    assert.throws(() => obs.histogram({ name: 'h', buckets: [1, 3] }), { code: 'conflict' });
  });

  it('throws invalid_config on bad names, labels, buckets and options', () => {
    const obs = client();
    const bad = (fn: () => unknown) =>
      assert.throws(fn, (e: unknown) => e instanceof TinyObsError && e.code === 'invalid_config');
    bad(() => obs.counter({ name: 'bad name' }));
    bad(() => obs.counter({ name: 'ok', labelNames: ['__x'] }));
    bad(() => obs.counter({ name: 'ok2', labelNames: ['service'] }));
    bad(() => obs.counter({ name: 'ok3', labelNames: ['a', 'a'] }));
    bad(() => obs.histogram({ name: 'h1', labelNames: ['le'] }));
    bad(() => obs.histogram({ name: 'h2', buckets: [2, 1] }));
    bad(() => createTinyObs({ service: '' }));
    bad(() => createTinyObs({ service: 's', endpoint: 'ftp://x' }));
    bad(() => createTinyObs({ service: 's', flushIntervalMs: -1 }));
  });
});

describe('gauge', () => {
  it('sets, adds and runs its collect callback before each collection', async () => {
    const obs = client();
    let depth = 3;
    obs.gauge({ name: 'queue_depth', collect: (g) => g.set(depth) });
    const g = obs.gauge({ name: 'temp', labelNames: ['room'] });
    g.set(20, { room: 'a' });
    g.inc({ room: 'a' });
    g.dec({ room: 'a' });
    g.add(-1.5, { room: 'a' });
    g.set(Number.NaN, { room: 'a' });
    let pts = await obs.collect();
    assert.equal(find(pts, 'queue_depth')[0]?.value, 3);
    assert.equal(find(pts, 'temp')[0]?.value, 18.5);
    depth = 7;
    pts = await obs.collect();
    assert.equal(find(pts, 'queue_depth')[0]?.value, 7);
  });

  it('reports a throwing collect callback and keeps going', async () => {
    const errors: TinyObsError[] = [];
    const obs = createTinyObs({
      service: 't',
      flushIntervalMs: 0,
      shutdownOnExit: false,
      onError: (e) => errors.push(e),
    });
    obs.gauge({
      name: 'broken',
      collect: () => {
        throw new Error('boom');
      },
    });
    obs.gauge({ name: 'fine', collect: (g) => g.set(1) });
    const pts = await obs.collect();
    assert.equal(find(pts, 'fine')[0]?.value, 1);
    assert.equal(errors[0]?.code, 'collect');
  });
});

describe('histogram', () => {
  it('sends cumulative buckets with a real +Inf, a sum and a count', async () => {
    const obs = client();
    const h = obs.histogram({ name: 'lat_seconds', buckets: [0.1, 1], labelNames: ['route'] });
    for (const v of [0.05, 0.1, 0.5, 2, 3]) h.observe(v, { route: '/a' });
    h.observe(Number.NaN, { route: '/a' });
    const pts = await obs.collect();
    const buckets = find(pts, 'lat_seconds_bucket').map((p) => [p.labels.le, p.value]);
    assert.deepEqual(buckets, [
      ['0.1', 2],
      ['1', 3],
      ['+Inf', 5],
    ]);
    assert.equal(find(pts, 'lat_seconds_sum')[0]?.value, 5.65);
    assert.equal(find(pts, 'lat_seconds_count')[0]?.value, 5);
    assert.ok(pts.filter((p) => p.name.startsWith('lat_seconds')).every((p) => p.type === 'histogram'));
    assert.equal(obs.stats().dropped.invalid_value, 1);
  });

  it('times sync and async functions, errors included, and startTimer merges labels', async () => {
    const obs = client();
    const h = obs.histogram({ name: 'op_seconds', labelNames: ['op', 'status'] });
    assert.equal(
      h.time(() => 42, { op: 'sync' }),
      42,
    );
    assert.equal(await h.time(async () => 'v', { op: 'async' }), 'v');
    await assert.rejects(
      h.time(
        async () => {
          throw new Error('x');
        },
        { op: 'async' },
      ),
    );
    assert.throws(() =>
      h.time(
        () => {
          throw new Error('y');
        },
        { op: 'sync' },
      ),
    );
    const stop = h.startTimer({ op: 'timer' });
    await new Promise((r) => setTimeout(r, 20));
    const secs = stop({ status: 'ok' });
    assert.ok(secs >= 0.015 && secs < 5, String(secs));
    const pts = await obs.collect();
    assert.equal(find(pts, 'op_seconds_count', { op: 'sync' })[0]?.value, 2);
    assert.equal(find(pts, 'op_seconds_count', { op: 'async' })[0]?.value, 2);
    assert.equal(find(pts, 'op_seconds_count', { op: 'timer', status: 'ok' })[0]?.value, 1);
  });

  it('bound handles observe and time without label work', async () => {
    const obs = client();
    const h = obs.histogram({ name: 'bh', buckets: [1], labelNames: ['x'] });
    const b = h.bind({ x: 'a' });
    b.observe(0.5);
    b.observe(5);
    b.startTimer()();
    const pts = await obs.collect();
    assert.equal(find(pts, 'bh_count')[0]?.value, 3);
    assert.equal(find(pts, 'bh_bucket', { le: '1' })[0]?.value, 2);
  });
});
