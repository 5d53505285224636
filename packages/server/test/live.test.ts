/**
 * `/api/v1/live`: the server-sent event stream the dashboard's live mode reads. Parameters are
 * checked before the stream starts (400 naming the parameter and the limit); points arrive on
 * the query_range step grid; the stream ends when the server shuts down.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_LIVE_QUERIES } from '../src/api/live.js';
import { postJson, startTestServer, type TestServer } from './support/server.js';

interface LiveEvent {
  start: number;
  end: number;
  step: number;
  results: { result?: { metric: Record<string, string>; values: [number, string][] }[]; error?: string }[];
}

/** Reads the stream until the first `points` event. */
async function firstEvent(body: ReadableStream<Uint8Array>): Promise<LiveEvent> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before an event: ${buf}`);
      buf += value;
      const m = /event: points\ndata: (.*)\n\n/.exec(buf);
      if (m) return JSON.parse(m[1]!) as LiveEvent;
    }
  } finally {
    await reader.cancel();
  }
}

describe('GET /api/v1/live', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const live = (params: Record<string, string | string[]>, signal?: AbortSignal) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) q.append(k, one);
    return fetch(`${server.url}/api/v1/live?${q}`, signal ? { signal } : {});
  };

  it('refuses bad parameters with a 400 that names them', async () => {
    const cases: [Record<string, string | string[]>, RegExp][] = [
      [{ step: '1s' }, /"query": 1 to 50 queries per live stream \(got 0\)/],
      [{ query: Array(MAX_LIVE_QUERIES + 1).fill('up'), step: '1s' }, /1 to 50 queries .*got 51/],
      [{ query: 'up', step: '500ms' }, /"step": at least 1s/],
      [{ query: 'up' }, /"step": at least 1s/],
      [{ query: ['up', 'sum(up'], step: '1s' }, /"query" #2/],
      [{ query: 'up', step: '1s', start: 'yesterday' }, /"start"/],
    ];
    for (const [params, message] of cases) {
      const res = await live(params);
      assert.equal(res.status, 400, JSON.stringify(params));
      const body = (await res.json()) as { status: string; errorType: string; error: string };
      assert.equal(body.errorType, 'bad_data');
      assert.match(body.error, message);
    }
  });

  it('streams each completed step of every query, equal to query_range on the same grid', async () => {
    const now = Date.now();
    const points = [];
    for (let t = now - 20_000; t <= now; t += 1000) {
      points.push({
        name: 'live_gauge',
        type: 'gauge',
        value: t % 7,
        labels: { service: 's' },
        timestamp: t,
      });
    }
    assert.equal((await postJson(`${server.url}/v1/ingest`, { metrics: points })).status, 200);
    const start = Math.floor(now / 1000) - 10;
    const ctrl = new AbortController();
    const res = await live(
      { query: ['live_gauge', 'sum(live_gauge) * 2', 'nope_missing'], step: '1s', start: String(start) },
      ctrl.signal,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const ev = await firstEvent(res.body!);
    ctrl.abort();
    assert.equal(ev.start, start);
    assert.equal(ev.step, 1);
    assert.ok(ev.end >= start + 10 && ev.end <= Date.now() / 1000, `end ${ev.end}`);
    assert.equal(ev.results.length, 3);
    assert.deepEqual(ev.results[2], { result: [] });

    const q = new URLSearchParams({ start: String(ev.start), end: String(ev.end), step: '1' });
    for (const [i, query] of ['live_gauge', 'sum(live_gauge) * 2'].entries()) {
      q.set('query', query);
      const range = (await (await fetch(`${server.url}/api/v1/query_range?${q}`)).json()) as {
        data: { result: unknown[] };
      };
      assert.ok(range.data.result.length > 0);
      assert.deepEqual(ev.results[i]!.result, range.data.result, query);
    }
  });

  it("sends a query's evaluation error in its own slot and keeps the others", async () => {
    const ctrl = new AbortController();
    const start = Math.floor(Date.now() / 1000) - 2;
    const res = await live(
      {
        query: ['vector(1)', 'label_replace(vector(1), "a", "$1", "b", "(")'],
        step: '1s',
        start: String(start),
      },
      ctrl.signal,
    );
    const ev = await firstEvent(res.body!);
    ctrl.abort();
    assert.equal(ev.results[0]!.result![0]!.values[0]![1], '1');
    assert.equal(ev.results[1]!.result, undefined);
    assert.match(ev.results[1]!.error ?? '', /regex|\(/i);
  });

  it('ends open streams when the server shuts down', async () => {
    const other = await startTestServer();
    const res = await fetch(`${other.url}/api/v1/live?query=vector(1)&step=1s`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    const closing = other.stop();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
    }
    await closing;
  });
});
