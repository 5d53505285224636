import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTinyObs, TinyObsError, type TinyObsOptions } from '../src/index.js';
import { pointValue, receiverPool } from './helpers/receiver.js';

const receiver = receiverPool();

function client(endpoint: string, extra: Partial<TinyObsOptions> = {}) {
  return createTinyObs({
    service: 'push-test',
    endpoint,
    instance: false,
    flushIntervalMs: 0,
    shutdownOnExit: false,
    minBackoffMs: 20,
    maxBackoffMs: 100,
    onWarning: () => {},
    ...extra,
  });
}

describe('push', () => {
  it('sends gzip JSON in the TinyObs wire format with a bearer token, and flush waits for the ack', async () => {
    const r = await receiver();
    const obs = client(r.url, { apiKey: 'secret' });
    const c = obs.counter({ name: 'hits_total', help: 'Hits', labelNames: ['route'] });
    c.inc({ route: '/a' });
    c.inc({ route: '/a' });
    await obs.flush();
    assert.equal(r.requests.length, 1, 'acknowledged before flush resolved');
    const req = r.requests[0]!;
    assert.equal(req.headers['content-encoding'], 'gzip');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers.authorization, 'Bearer secret');
    const p = req.metrics.find((m) => m.name === 'hits_total')!;
    assert.deepEqual(
      { name: p.name, type: p.type, value: p.value, labels: p.labels, help: p.help },
      {
        name: 'hits_total',
        type: 'counter',
        value: 2,
        labels: { service: 'push-test', route: '/a' },
        help: 'Hits',
      },
    );
    assert.match(p.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await obs.shutdown();
  });

  it('retries a 500 and then sends the cumulative value once it is accepted', async () => {
    const r = await receiver((i) => ({ status: i < 2 ? 500 : 200 }));
    const errors: TinyObsError[] = [];
    const obs = client(r.url, { onError: (e) => errors.push(e) });
    const c = obs.counter({ name: 'jobs_total' });
    for (let i = 0; i < 10; i++) c.inc();
    await obs.flush();
    assert.deepEqual(
      r.requests.map((q) => q.status),
      [500, 500, 200],
    );
    assert.deepEqual(
      r.requests.map((q) => pointValue(q.metrics, 'jobs_total')),
      [10, 10, 10],
      'a retry resends the same batch, not an increment',
    );
    assert.equal(new Set(r.requests.map((q) => q.metrics[0]?.timestamp)).size, 1, 'same timestamps on retry');
    assert.ok(errors.every((e) => e.code === 'transport') && errors.length === 2);
    await obs.shutdown();
  });

  it('honours Retry-After on 429', async () => {
    const r = await receiver((i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const obs = client(r.url);
    obs.counter({ name: 'a_total' }).inc();
    await obs.flush();
    assert.equal(r.requests.length, 2);
    const waited = r.requests[1]!.at - r.requests[0]!.at;
    assert.ok(waited >= 950, `waited ${waited} ms`);
    await obs.shutdown();
  });

  it('drops a batch answered 400, reports it and counts the points', async () => {
    const r = await receiver((i) =>
      i === 0 ? { status: 400, body: '{"error":"Bad Request","message":"nope"}' } : { status: 200 },
    );
    const errors: TinyObsError[] = [];
    const obs = client(r.url, { onError: (e) => errors.push(e) });
    obs.counter({ name: 'b_total' }).inc();
    const pointsPerPush = (await obs.collect()).length;
    await assert.rejects(obs.flush(), (e: unknown) => {
      assert.ok(e instanceof TinyObsError);
      assert.equal(e.code, 'rejected');
      assert.equal(e.status, 400);
      assert.equal(e.serverMessage, 'nope');
      assert.deepEqual(e.result, { sent: 0, dropped: pointsPerPush, retrying: 0 });
      return true;
    });
    assert.equal(r.requests.length, 1, 'not retried');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'rejected');
    assert.equal(errors[0]?.status, 400);
    assert.equal(errors[0]?.serverMessage, 'nope');
    assert.match(errors[0]!.message, /HTTP 400: nope/);
    assert.ok((obs.stats().dropped.rejected ?? 0) >= 1);
    const ok = await obs.flush();
    assert.equal(ok.sent, r.requests[1]!.metrics.length);
    assert.equal(
      pointValue(r.requests[1]!.metrics, 'tinyobs_sdk_dropped_total', { reason: 'rejected' }),
      1,
      'one point dropped',
    );
    await obs.shutdown();
  });

  it('splits a large collection into batches under the point limit', async () => {
    const r = await receiver();
    const obs = client(r.url, { maxBatchPoints: 10 });
    const c = obs.counter({ name: 'many_total', labelNames: ['id'] });
    for (let i = 0; i < 25; i++) c.inc({ id: i });
    await obs.flush();
    assert.deepEqual(
      r.requests.map((q) => q.metrics.length),
      [10, 10, 5],
    );
    const ids = new Set(r.requests.flatMap((q) => q.metrics.map((m) => m.labels.id)));
    assert.equal(ids.size, 25);
    await obs.shutdown();
  });

  it('keeps memory bounded with the server down: the oldest batches are dropped and counted', async () => {
    // Port 9 (discard) on loopback refuses connections.
    const obs = client('http://127.0.0.1:9/v1/ingest', {
      maxQueueBytes: 2_000,
      maxBackoffMs: 10_000,
      minBackoffMs: 5_000,
    });
    const c = obs.counter({ name: 'q_total', labelNames: ['id'] });
    for (let i = 0; i < 20; i++) c.inc({ id: i });
    for (let i = 0; i < 30; i++) {
      await assert.rejects(obs.flush({ timeoutMs: 1 }), { code: 'flush_timeout' });
    }
    await assert.rejects(obs.flush({ timeoutMs: 1 }), {
      message:
        /^cannot flush: http:\/\/127\.0\.0\.1:9\/v1\/ingest did not acknowledge within 1 ms \(last attempt: .*ECONNREFUSED/,
    });
    const s = obs.stats();
    assert.ok(s.queuedBytes <= 2_000 + 1_000, `queued ${s.queuedBytes} bytes`);
    assert.ok((s.dropped.queue_full ?? 0) > 0, JSON.stringify(s));
    await assert.rejects(obs.shutdown({ timeoutMs: 1 }), (e: unknown) => {
      assert.ok(e instanceof TinyObsError && e.code === 'flush_timeout');
      assert.ok(e.result !== undefined && e.result.dropped > 0, JSON.stringify(e.result));
      return true;
    });
    assert.equal(obs.stats().queuedBatches <= 1, true);
  });

  it('does not send uncompressed bodies as gzip when compression is off', async () => {
    const r = await receiver();
    const obs = client(r.url, { compress: false });
    obs.gauge({ name: 'g' }).set(1);
    await obs.flush();
    assert.equal(r.requests[0]?.headers['content-encoding'], undefined);
    assert.equal(pointValue(r.requests[0]!.metrics, 'g'), 1);
    await obs.shutdown();
  });

  it('pushes on its timer, and shutdown stops the timer', async () => {
    const r = await receiver();
    const obs = client(r.url, { flushIntervalMs: 30 });
    obs.counter({ name: 't_total' }).inc();
    const deadline = Date.now() + 5_000;
    while (r.requests.length < 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    assert.ok(r.requests.length >= 3, `${r.requests.length} pushes`);
    await obs.shutdown();
    const n = r.requests.length;
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.requests.length, n);
  });

  it('wrapHandler flushes after each invocation and passes results and errors through', async () => {
    const r = await receiver();
    const obs = client(r.url);
    const c = obs.counter({ name: 'inv_total' });
    const handler = obs.wrapHandler(async (x: number) => {
      c.inc();
      if (x < 0) throw new Error('negative');
      return x * 2;
    });
    assert.equal(await handler(2), 4);
    assert.equal(r.requests.length, 1);
    await assert.rejects(handler(-1), /negative/);
    assert.equal(r.requests.length, 2);
    assert.equal(pointValue(r.requests[1]!.metrics, 'inv_total'), 2);
    await obs.shutdown();
  });
});

describe('flush during a backoff', () => {
  it('retries at once instead of waiting out the backoff, but honours Retry-After', async () => {
    let down = true;
    const r = await receiver(() => (down ? { status: 503 } : { status: 200 }));
    const obs = client(r.url, { minBackoffMs: 30_000, maxBackoffMs: 30_000 });
    obs.counter({ name: 'n_total' }).inc();
    await assert.rejects(obs.flush({ timeoutMs: 200 }), { code: 'flush_timeout' });
    down = false;
    const t0 = Date.now();
    await obs.flush({ timeoutMs: 5_000 });
    assert.ok(Date.now() - t0 < 2_000, 'did not wait for the 30 s backoff');
    await obs.shutdown();

    const r2 = await receiver((i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const obs2 = client(r2.url);
    obs2.counter({ name: 'n_total' }).inc();
    await assert.rejects(obs2.flush({ timeoutMs: 100 }), { code: 'flush_timeout' });
    await obs2.flush({ timeoutMs: 5_000 });
    assert.ok(r2.requests[1]!.at - r2.requests[0]!.at >= 950, 'Retry-After still honoured');
    await obs2.shutdown();
  });
});

describe('a body the server finds too large (413)', () => {
  it('is split in halves until accepted, and later pushes stay under the learned size', async () => {
    const r = await receiver((_i, metrics) => (metrics.length > 4 ? { status: 413 } : { status: 200 }));
    const obs = client(r.url);
    const c = obs.counter({ name: 'big_total', labelNames: ['id'] });
    for (let i = 0; i < 10; i++) c.add(i + 1, { id: i });
    await obs.flush();
    const accepted = r.requests.filter((q) => q.status === 200).flatMap((q) => q.metrics);
    assert.equal(accepted.length, 10);
    assert.deepEqual(
      accepted.map((m) => m.value).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    const before = r.requests.length;
    await obs.flush();
    const later = r.requests.slice(before);
    assert.ok(
      later.length >= 3 && later.every((q) => q.status === 200),
      JSON.stringify(later.map((q) => q.status)),
    );
    assert.equal(obs.stats().dropped.rejected, undefined);
    await obs.shutdown();
  });

  it('drops a single point that is too large, like any 4xx', async () => {
    const r = await receiver(() => ({ status: 413 }));
    const errors: TinyObsError[] = [];
    const obs = client(r.url, { onError: (e) => errors.push(e) });
    obs.gauge({ name: 'one' }).set(1);
    await assert.rejects(obs.flush(), { code: 'rejected', status: 413 });
    assert.equal(r.requests.length, 1);
    assert.equal(errors[0]?.code, 'rejected');
    assert.equal(errors[0]?.status, 413);
    await assert.rejects(obs.shutdown(), { code: 'rejected', status: 413 }, 'the last push is refused too');
  });
});
