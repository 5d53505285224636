import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { type ChildServer, postJson, spawnServer, tempDir } from './support/server.js';

/**
 * Hostile and heavy queries against a real `tinyobs serve` process holding 100 000 series: each
 * is refused or answered in bounded time and memory, a slow query never stops the server from
 * answering /v1/health and ingest, and a timeout or a closed client connection stops it.
 */

const SERIES = 100_000;
/** A range query that takes tens of seconds (11 000 steps, each summing a 7-day window of 1 s points). */
const SLOW = 'sum_over_time(vector(1)[7d:1s])';
const SLOW_RANGE = { query: SLOW, start: '0', end: '10999', step: '1' };

async function query(base: string, path: string, form: Record<string, string>, signal?: AbortSignal) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, any> };
}

/** A sample of the server's own metrics (`GET /metrics`), 0 when absent. */
async function selfMetric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** Waits (at most 10 s) until the server's own metric `name` has `value`. */
async function until(base: string, name: string, value: number): Promise<void> {
  const t0 = performance.now();
  let seen = await selfMetric(base, name);
  while (seen !== value) {
    assert.ok(performance.now() - t0 < 10_000, `${name} stayed ${seen}, expected ${value}`);
    await new Promise((r) => setTimeout(r, 20));
    seen = await selfMetric(base, name);
  }
}

/** Polls /v1/health every 25 ms until stopped; resolves with the slowest answer and every status. */
function pollHealth(base: string): { stop: () => Promise<{ maxMs: number; statuses: number[] }> } {
  let running = true;
  let maxMs = 0;
  const statuses: number[] = [];
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${base}/v1/health`);
      await res.arrayBuffer();
      statuses.push(res.status);
      maxMs = Math.max(maxMs, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { maxMs, statuses };
    },
  };
}

/** The server process's peak resident memory in bytes (Linux /proc). */
function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) * 1024;
}

describe('hostile and heavy queries through tinyobs serve', () => {
  let server: ChildServer;
  let dir: string;
  before(async () => {
    dir = tempDir();
    server = await spawnServer([
      '--data-dir',
      dir,
      '--query-max-concurrency',
      '2',
      '--query-max-queued',
      '1',
    ]);
    const now = Date.now();
    for (let from = 0; from < SERIES; from += 25_000) {
      const metrics = [];
      for (let i = from; i < from + 25_000; i++)
        metrics.push({
          name: 'load_series',
          type: 'gauge',
          value: i,
          labels: { i: String(i) },
          timestamp: now,
        });
      const r = await postJson(`${server.url}/v1/ingest`, { metrics });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses subqueries of more steps than the sample limit, before allocating them', async () => {
    const health = pollHealth(server.url);
    for (const q of ['max_over_time(vector(1)[10d:1ms])', 'max_over_time(vector(1)[1d:1ms])']) {
      const r = await query(server.url, '/api/v1/query', { query: q });
      assert.equal(r.status, 422, r.text);
      assert.equal(r.body.errorType, 'execution');
      assert.equal(
        r.body.error,
        'query processing would load too many samples into memory in query execution',
      );
    }
    const r = await query(server.url, '/api/v1/query_range', {
      query: 'up',
      start: '0',
      end: '20000',
      step: '1',
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /exceeded maximum resolution of 11,000 points per timeseries/);
    const { statuses } = await health.stop();
    assert.ok(statuses.every((s) => s === 200));
    // x[10d:1ms] alone exhausted a 4 GB heap before the limit was checked up front.
    assert.ok(peakRss(server.child.pid!) < 1.5 * 2 ** 30, `peak RSS ${peakRss(server.child.pid!)}`);
  });

  it('answers topk(50000, …) over 100 000 series in bounded time', async () => {
    const t0 = performance.now();
    const r = await query(server.url, '/api/v1/query', { query: 'topk(50000, load_series)' });
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.body.data.result.length, 50_000);
    assert.equal(Number(r.body.data.result[0].value[1]), SERIES - 1);
    // It took 143 s (O(n·k) insertion); a sort takes well under a second.
    assert.ok(performance.now() - t0 < 30_000);
  });

  it('refuses deep nesting with 400 and keeps format_query output bounded', async () => {
    const deep = `${'abs('.repeat(1445)}up${')'.repeat(1445)}`;
    for (const path of ['/api/v1/query', '/api/v1/parse_query', '/api/v1/format_query']) {
      const r = await query(server.url, path, { query: deep });
      assert.equal(r.status, 400, `${path}: ${r.text.slice(0, 200)}`);
      assert.equal(r.body.errorType, 'bad_data');
    }
    const nested = `${'sum('.repeat(200)}up${')'.repeat(200)}`;
    const ok = await query(server.url, '/api/v1/format_query', { query: nested });
    assert.equal(ok.status, 200);
    const wide = `label_join(up, "d", ",", ${Array.from({ length: 2000 }, (_, i) => `"${'l'.repeat(200)}${i}"`).join(', ')})`;
    const refused = await query(server.url, '/api/v1/format_query', {
      query: `${'sum('.repeat(250)}${wide}${')'.repeat(250)}`,
    });
    assert.equal(refused.status, 400, refused.text.slice(0, 200));
    assert.match(refused.body.error, /cannot format query: .* more than the 1048576 allowed/);
  });

  it('stops a query at its timeout parameter', async () => {
    const t0 = performance.now();
    const r = await query(server.url, '/api/v1/query_range', { ...SLOW_RANGE, timeout: '1s' });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.errorType, 'timeout');
    assert.ok(performance.now() - t0 < 10_000);
    assert.ok((await selfMetric(server.url, 'tinyobs_queries_timed_out_total')) >= 1);
  });

  it('keeps /v1/health and ingest responsive while a slow query runs', async () => {
    const slow = query(server.url, '/api/v1/query_range', { ...SLOW_RANGE, timeout: '6s' });
    await new Promise((r) => setTimeout(r, 300));
    const health = pollHealth(server.url);
    let ingestMax = 0;
    for (let k = 0; k < 20; k++) {
      const t0 = performance.now();
      const r = await postJson(`${server.url}/v1/ingest`, {
        metrics: [{ name: 'during_query', type: 'gauge', value: k, labels: { k: String(k) } }],
      });
      assert.equal(r.status, 200);
      ingestMax = Math.max(ingestMax, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { maxMs, statuses } = await health.stop();
    const r = await slow;
    // The query was still running throughout (it ends at its 6 s timeout, not before).
    assert.equal(r.status, 503, r.text);
    assert.ok(statuses.length > 20 && statuses.every((s) => s === 200));
    // Synchronous evaluation held both for the whole query (6 s); 5 ms slices keep them in ms.
    assert.ok(maxMs < 1000, `slowest /v1/health took ${maxMs} ms`);
    assert.ok(ingestMax < 1000, `slowest ingest took ${ingestMax} ms`);
  });

  it('stops a query whose client went away, and queues or refuses beyond the concurrency limit', async () => {
    const canceledBefore = await selfMetric(server.url, 'tinyobs_queries_canceled_total');
    const clients = [new AbortController(), new AbortController(), new AbortController()];
    const send = (ctl: AbortController) =>
      query(server.url, '/api/v1/query_range', SLOW_RANGE, ctl.signal).catch((e: Error) => e);
    const [first, second] = [send(clients[0]!), send(clients[1]!)];
    await until(server.url, 'tinyobs_queries_running', 2);
    // Two run, one waits (--query-max-queued 1), the next is refused.
    const third = send(clients[2]!);
    await until(server.url, 'tinyobs_queries_queued', 1);
    const refused = await query(server.url, '/api/v1/query', { query: 'load_series' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.errorType, 'unavailable');
    assert.match(refused.body.error, /--query-max-concurrency/);
    // The server notices the closed connection and stops the evaluation at its next yield,
    // which lets the waiting query in.
    clients[0]!.abort();
    assert.ok((await first) instanceof Error);
    await until(server.url, 'tinyobs_queries_canceled_total', canceledBefore + 1);
    await until(server.url, 'tinyobs_queries_queued', 0);
    assert.equal(await selfMetric(server.url, 'tinyobs_queries_running'), 2);
    clients[1]!.abort();
    clients[2]!.abort();
    await Promise.all([second, third]);
    await until(server.url, 'tinyobs_queries_canceled_total', canceledBefore + 3);
    await until(server.url, 'tinyobs_queries_running', 0);
  });
});
