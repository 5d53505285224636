// What flush() and shutdown() say about the data they waited for, and how the client finds its
// server: an address alone is completed to /v1/ingest, TINYOBS_ENDPOINT is read, a wrong path is
// explained.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTinyObs, TinyObsError, type TinyObsOptions } from '../src/index.js';
import { receiverPool } from './helpers/receiver.js';

const receiver = receiverPool();

function client(endpoint: string | undefined, extra: Partial<TinyObsOptions> = {}) {
  return createTinyObs({
    service: 'result-test',
    ...(endpoint === undefined ? {} : { endpoint }),
    instance: false,
    flushIntervalMs: 0,
    shutdownOnExit: false,
    minBackoffMs: 20,
    maxBackoffMs: 50,
    onWarning: () => {},
    onError: () => {},
    ...extra,
  });
}

const rejectsWith = (p: Promise<unknown>, check: (e: TinyObsError) => void) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TinyObsError, String(e));
    check(e);
    return true;
  });

describe('flush() and shutdown() results', () => {
  it('flush resolves to the points the server acknowledged', async () => {
    const r = await receiver();
    const obs = client(r.url);
    const c = obs.counter({ name: 'ok_total', labelNames: ['k'] });
    for (let i = 0; i < 7; i++) c.inc({ k: i });
    assert.deepEqual(await obs.flush(), { sent: 7, dropped: 0, retrying: 0 });
    assert.equal(r.requests[0]?.metrics.length, 7);
    c.inc({ k: 0 });
    assert.deepEqual(await obs.shutdown(), { sent: 7, dropped: 0, retrying: 0 });
    assert.equal(obs.shutdown(), obs.shutdown(), 'one shutdown, one promise');
  });

  it('a flush that times out says how much is still being retried, and the next flush delivers it too', async () => {
    let up = false;
    const r = await receiver(() => ({ status: up ? 200 : 503 }));
    const obs = client(r.url);
    obs.gauge({ name: 'g', labelNames: ['k'] }).set(1, { k: 'a' });
    obs.gauge({ name: 'g', labelNames: ['k'] }).set(2, { k: 'b' });
    await rejectsWith(obs.flush({ timeoutMs: 150 }), (e) => {
      assert.equal(e.code, 'flush_timeout');
      assert.deepEqual(e.result, { sent: 0, dropped: 0, retrying: 2 });
    });
    up = true;
    // The earlier batch was still pending: this flush waits for it as well as for its own.
    assert.deepEqual(await obs.flush({ timeoutMs: 5_000 }), { sent: 4, dropped: 0, retrying: 0 });
    await obs.shutdown();
  });

  it('a refusal rejects the flush with the server message, and onError hears every refusal', async () => {
    const r = await receiver((i) => ({
      status: 400,
      body: JSON.stringify({ error: 'Bad Request', message: `refusal number ${i}` }),
    }));
    const errors: TinyObsError[] = [];
    const obs = client(r.url, { onError: (e) => errors.push(e) });
    obs.counter({ name: 'r_total' }).inc();
    await rejectsWith(obs.flush(), (e) => {
      assert.equal(e.code, 'rejected');
      assert.equal(e.serverMessage, 'refusal number 0');
      assert.deepEqual(e.result, { sent: 0, dropped: 1, retrying: 0 });
    });
    await rejectsWith(obs.flush(), (e) => assert.equal(e.serverMessage, 'refusal number 1'));
    await rejectsWith(obs.shutdown(), (e) => assert.equal(e.serverMessage, 'refusal number 2'));
    assert.deepEqual(
      errors.map((e) => [e.code, e.status, e.serverMessage]),
      [0, 1, 2].map((i) => ['rejected', 400, `refusal number ${i}`]),
    );
  });

  it('a 404 or 405 explains where the TinyObs server takes pushes', async () => {
    const r = await receiver(() => ({ status: 404, body: 'Not Found' }));
    const obs = client(`${r.url.replace('/v1/ingest', '')}/api/push`);
    obs.counter({ name: 'nf_total' }).inc();
    await rejectsWith(obs.flush(), (e) => {
      assert.equal(e.status, 404);
      assert.match(
        e.message,
        /\/api\/push: HTTP 404: Not Found \(is .* a TinyObs ingest URL\? .*\/v1\/ingest\)/,
      );
    });
  });
});

describe('endpoint', () => {
  it('completes an address without a path to /v1/ingest, keeps any other path', async () => {
    const r = await receiver();
    const base = r.url.replace('/v1/ingest', '');
    for (const e of [base, `${base}/`]) {
      const obs = client(e);
      assert.equal(obs.options.endpoint, `${base}/v1/ingest`);
      obs.counter({ name: 'base_total' }).inc();
      assert.deepEqual(await obs.flush(), { sent: 1, dropped: 0, retrying: 0 });
      await obs.shutdown();
    }
    assert.equal(
      client('http://example.com:8080/custom/ingest').options.endpoint,
      'http://example.com:8080/custom/ingest',
    );
  });

  it('reads TINYOBS_ENDPOINT when no endpoint is given, and names it when it is wrong', () => {
    const saved = process.env.TINYOBS_ENDPOINT;
    try {
      process.env.TINYOBS_ENDPOINT = 'http://10.1.2.3:9999';
      assert.equal(client(undefined).options.endpoint, 'http://10.1.2.3:9999/v1/ingest');
      assert.equal(
        client('http://a:1/v1/ingest').options.endpoint,
        'http://a:1/v1/ingest',
        'the option wins',
      );
      process.env.TINYOBS_ENDPOINT = 'localhost 8080';
      assert.throws(() => client(undefined), {
        code: 'invalid_config',
        message: /TINYOBS_ENDPOINT "localhost 8080" is not a URL/,
      });
      delete process.env.TINYOBS_ENDPOINT;
      assert.equal(client(undefined).options.endpoint, 'http://localhost:8080/v1/ingest');
    } finally {
      if (saved === undefined) delete process.env.TINYOBS_ENDPOINT;
      else process.env.TINYOBS_ENDPOINT = saved;
    }
  });
});
