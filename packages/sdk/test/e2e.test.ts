// End-to-end: the SDK against the real tinyobs server started as a process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTinyObs, type TinyObsError, type TinyObsOptions } from '../src/index.js';
import { startFaultProxy } from './helpers/fault-proxy.js';
import { realServer, sampleValue } from './helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noop = () => {};

function client(service: string, endpoint: string, extra: Partial<TinyObsOptions> = {}) {
  return createTinyObs({
    service,
    endpoint,
    instance: false,
    flushIntervalMs: 250,
    minBackoffMs: 100,
    maxBackoffMs: 1_000,
    shutdownOnExit: false,
    onWarning: noop,
    onError: noop,
    ...extra,
  });
}

describe('against the real server', () => {
  it('server stopped for 10 s while the app keeps recording, then restarted: every increment arrives', async () => {
    const srv = await realServer();
    try {
      await srv.start();
      const obs = client('e2e-outage', srv.ingestUrl);
      const ops = obs.counter({ name: 'outage_ops_total', labelNames: ['kind'] });
      const lat = obs.histogram({ name: 'outage_op_seconds', labelNames: ['kind'] });
      let n = 0;
      const tick = setInterval(() => {
        ops.inc({ kind: 'a' });
        lat.observe(0.003, { kind: 'a' });
        n++;
      }, 5);
      await sleep(1_000);
      await srv.stop();
      const atStop = n;
      await sleep(10_000);
      assert.ok(n > atStop + 500, 'the app kept recording during the outage');
      assert.ok(obs.stats().queuedBatches > 0, 'batches waited in the queue');
      await srv.start();
      await sleep(1_000);
      clearInterval(tick);
      await obs.flush({ timeoutMs: 15_000 });
      const text = await srv.metrics();
      assert.equal(sampleValue(text, 'outage_ops_total', { service: 'e2e-outage', kind: 'a' }), n);
      assert.equal(sampleValue(text, 'outage_op_seconds_count', { service: 'e2e-outage', kind: 'a' }), n);
      assert.equal(sampleValue(text, 'outage_op_seconds_bucket', { service: 'e2e-outage', le: '+Inf' }), n);
      assert.equal(obs.stats().dropped.queue_full, undefined, 'nothing dropped');
      await obs.shutdown();
    } finally {
      await srv.dispose();
    }
  });

  it('server answers 500, then 200: retried, and totals have no duplicates', async () => {
    const srv = await realServer();
    await srv.start();
    const proxy = await startFaultProxy(srv.ingestUrl, (i) => (i < 3 ? 500 : undefined));
    try {
      const errors: TinyObsError[] = [];
      const obs = client('e2e-500', proxy.url, { flushIntervalMs: 0, onError: (e) => errors.push(e) });
      const c = obs.counter({ name: 'retry_ops_total' });
      for (let i = 0; i < 100; i++) c.inc();
      await obs.flush();
      for (let i = 0; i < 50; i++) c.inc();
      await obs.flush();
      assert.deepEqual(proxy.statuses, [500, 500, 500, 200, 200]);
      assert.equal(errors.length, 3);
      assert.ok(errors.every((e) => e.code === 'transport' && e.status === 500));
      const text = await srv.metrics();
      assert.equal(sampleValue(text, 'retry_ops_total', { service: 'e2e-500' }), 150);
      await obs.shutdown();
    } finally {
      await proxy.close();
      await srv.dispose();
    }
  });

  it('server answers 400: the batch is dropped, reported through onError and counted', async () => {
    const srv = await realServer(['--max-label-value-length', '16']);
    try {
      await srv.start();
      const errors: TinyObsError[] = [];
      const obs = client('e2e-400', srv.ingestUrl, { flushIntervalMs: 0, onError: (e) => errors.push(e) });
      obs.counter({ name: 'bad_total', labelNames: ['v'] }).inc({ v: 'x'.repeat(100) });
      await assert.rejects(obs.flush(), {
        code: 'rejected',
        status: 400,
        serverMessage: /metrics\[0\]\.labels\.v: value is 100 characters long \(limit 16\b/,
      });
      assert.equal(errors.length, 1, 'reported once, not retried');
      assert.equal(errors[0]?.code, 'rejected');
      assert.equal(errors[0]?.status, 400);
      assert.ok((obs.stats().dropped.rejected ?? 0) >= 1);
      await assert.rejects(
        obs.shutdown(),
        { code: 'rejected' },
        'the series is still there, and refused again',
      );
    } finally {
      await srv.dispose();
    }
  });

  it('server with a small body limit answers 413: the SDK splits the batch and every series arrives', async () => {
    const srv = await realServer(['--max-body-size', '2048']);
    try {
      await srv.start();
      const errors: TinyObsError[] = [];
      const obs = client('e2e-413', srv.ingestUrl, { flushIntervalMs: 0, onError: (e) => errors.push(e) });
      const c = obs.counter({ name: 'split_ops_total', labelNames: ['id', 'path'] });
      for (let i = 0; i < 400; i++)
        c.add(i + 1, { id: i, path: `/some/rather/long/path/segment/${i * 7919}` });
      await obs.flush({ timeoutMs: 15_000 });
      const text = await srv.metrics();
      let found = 0;
      for (let i = 0; i < 400; i++) {
        if (sampleValue(text, 'split_ops_total', { service: 'e2e-413', id: String(i) }) === i + 1) found++;
      }
      assert.equal(found, 400);
      assert.deepEqual(obs.stats().dropped, {});
      assert.deepEqual(
        errors.map((e) => e.code),
        [],
      );
      await obs.shutdown();
    } finally {
      await srv.dispose();
    }
  });

  it('queue bound: with the server down and a tiny bound, memory stays bounded and drops are counted', async () => {
    const srv = await realServer();
    try {
      await srv.start();
      const obs = client('e2e-bound', srv.ingestUrl, {
        flushIntervalMs: 0,
        maxQueueBytes: 4_096,
        minBackoffMs: 50,
      });
      const c = obs.counter({ name: 'bound_ops_total', labelNames: ['id'] });
      await obs.flush();
      await srv.stop();
      let n = 0;
      let peak = 0;
      for (let round = 0; round < 200; round++) {
        for (let i = 0; i < 20; i++) {
          c.inc({ id: i });
          n++;
        }
        await obs.flush({ timeoutMs: 1 }).catch(noop);
        peak = Math.max(peak, obs.stats().queuedBytes);
      }
      // The bound plus the one batch that may be in flight.
      assert.ok(peak <= 4_096 + 2_048, `peak ${peak} bytes`);
      assert.ok((obs.stats().dropped.queue_full ?? 0) > 0, JSON.stringify(obs.stats()));
      await srv.start();
      await obs.flush({ timeoutMs: 15_000 });
      const text = await srv.metrics();
      let total = 0;
      for (let i = 0; i < 20; i++)
        total += sampleValue(text, 'bound_ops_total', { service: 'e2e-bound', id: String(i) }) ?? 0;
      assert.equal(total, n, 'cumulative counters: dropped batches cost resolution, not totals');
      assert.ok(
        (sampleValue(text, 'tinyobs_sdk_dropped_total', { service: 'e2e-bound', reason: 'queue_full' }) ??
          0) > 0,
      );
      await obs.shutdown();
    } finally {
      await srv.dispose();
    }
  });

  const lifecycles = [
    { mode: 'natural', does: 'ends by itself', exit: { code: 0, signal: null } },
    { mode: 'exit', does: 'calls shutdown() then exit()', exit: { code: 0, signal: null } },
    { mode: 'sigterm', does: 'gets SIGTERM', kill: 'SIGTERM', exit: { code: 0, signal: null } },
    // handleSignals: the SDK pushes, then the signal ends the process as it would without the SDK.
    {
      mode: 'SIGINT',
      does: 'uses handleSignals and gets SIGINT',
      kill: 'SIGINT',
      exit: { code: null, signal: 'SIGINT' },
    },
    {
      mode: 'SIGTERM',
      does: 'uses handleSignals and gets SIGTERM',
      kill: 'SIGTERM',
      exit: { code: null, signal: 'SIGTERM' },
    },
  ] as const;
  for (const c of lifecycles) {
    it(`a child process that records and ${c.does} loses nothing`, async () => {
      const srv = await realServer();
      try {
        await srv.start();
        const started = Date.now();
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', fileURLToPath(new URL('./fixtures/child.ts', import.meta.url))],
          {
            env: { ...process.env, MODE: c.mode, ENDPOINT: srv.ingestUrl },
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let out = '';
        let signalled = false;
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if ('kill' in c && !signalled && out.includes('ready')) {
            signalled = true;
            child.kill(c.kill);
          }
        });
        const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
        assert.deepEqual({ code, signal }, c.exit);
        // The push timer is 60 s: exiting quickly means no SDK timer held the process open.
        assert.ok(Date.now() - started < 20_000, 'exited promptly');
        const lines = out.trim().split('\n');
        const n = Number(lines[lines.length - 1]!.split(' ').pop());
        assert.ok(n > 0, out);
        const text = await srv.metrics();
        assert.equal(sampleValue(text, 'child_ops_total', { service: `child-${c.mode}` }), n);
        assert.equal(sampleValue(text, 'child_op_seconds_count', { service: `child-${c.mode}` }), n);
      } finally {
        await srv.dispose();
      }
    });
  }
});
