/**
 * The limits and validation every ingest protocol shares, at the HTTP level through the native
 * JSON endpoint: each refusal's status and message, and what the server still serves afterwards.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MAX_TIMESTAMP_MS } from '../src/ingest/limits.js';
import { postJson, startTestServer, type TestServer } from './support/server.js';
import { requireBinary } from './support/system.js';

async function post(url: string, body: string | Buffer, contentType = 'application/json') {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, json: (await res.json()) as { message: string } };
}

async function metricsText(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

describe('ingest limits and validation', () => {
  let server: TestServer;
  let ingest: string;
  before(async () => {
    server = await startTestServer({ maxHelpLength: 100, maxUnitLength: 8, maxSeries: 50 });
    ingest = `${server.url}/v1/ingest`;
  });
  after(() => server.stop());

  it('refuses a huge help text with 400 naming the limit, keeps the point, and /metrics stays well-formed', async (t) => {
    const res = await postJson(ingest, {
      metrics: [
        { name: 'helped_total', type: 'counter', value: 1, help: 'Fine help.' },
        { name: 'huge_help_total', type: 'counter', value: 1, help: 'h'.repeat(1_000_000) },
      ],
    });
    assert.equal(res.status, 400);
    assert.match(
      String(res.json.message),
      /1 of 2 metrics rejected \(1 stored\): metrics\[1\]\.help: is 1000000 characters long \(limit 100, --max-help-length\)/,
    );
    const text = await metricsText(server);
    assert.match(text, /^# HELP helped_total Fine help\.$/m);
    assert.doesNotMatch(text, /huge_help_total/);
    const meta = await (await fetch(`${server.url}/api/v1/metadata`)).json();
    assert.equal((meta as { status: string }).status, 'success');
    const promtool = requireBinary(t, 'promtool', 'prometheus');
    if (promtool === null) return;
    const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool found problems:\n${r.stdout}${r.stderr}`);
  });

  it('refuses a unit over the limit', async () => {
    const res = await postJson(ingest, {
      metrics: [{ name: 'u', type: 'gauge', value: 1, unit: 'furlongs_per_fortnight' }],
    });
    assert.equal(res.status, 400);
    assert.match(
      res.json.message as string,
      /metrics\[0\]\.unit: is 22 characters long \(limit 8, --max-unit-length\)/,
    );
  });

  it('refuses a lone surrogate in a label value (not stored as U+FFFD) and keeps the valid point', async () => {
    // The JSON text carries the escape itself, as a client with a broken string would send it.
    const body = `{"metrics":[{"name":"sur","type":"gauge","value":1,"labels":{"k":"a\\ud800"}},
      {"name":"sur","type":"gauge","value":2,"labels":{"k":"a\\ufffd"}}]}`;
    const res = await post(ingest, body);
    assert.equal(res.status, 400);
    assert.match(
      res.json.message,
      /metrics\[0\]\.labels\.k: value is not valid Unicode \(it holds a lone surrogate/,
    );
    const series = await (await fetch(`${server.url}/api/v1/series?match[]=sur`)).json();
    assert.deepEqual((series as { data: unknown[] }).data, [{ __name__: 'sur', k: 'a\ufffd' }]);
  });

  it('refuses a lone surrogate in help', async () => {
    const res = await post(
      ingest,
      '{"metrics":[{"name":"surh","type":"gauge","value":1,"help":"x\\udc00"}]}',
    );
    assert.equal(res.status, 400);
    assert.match(res.json.message, /metrics\[0\]\.help: is not valid Unicode/);
  });

  it('refuses a body that is not valid UTF-8, naming the byte, and stores nothing of it', async () => {
    const prefix = '{"metrics":[{"name":"bad_utf8","type":"gauge","value":1,"labels":{"k":"';
    const body = Buffer.concat([Buffer.from(prefix), Buffer.from([0xc3, 0x28]), Buffer.from('"}}]}')]);
    const res = await post(ingest, body);
    assert.equal(res.status, 400);
    assert.ok(
      res.json.message.endsWith(`not valid UTF-8 (byte 0xc3 at offset ${prefix.length})`),
      res.json.message,
    );
    assert.doesNotMatch(await metricsText(server), /bad_utf8/);
  });

  it('refuses timestamps a query could not read (8.64e15 ms, nanoseconds) and reads back the last one it accepts', async () => {
    for (const t of [8.64e15, 1.7e18, -5]) {
      const res = await postJson(ingest, {
        metrics: [{ name: 'far', type: 'gauge', value: 1, timestamp: t }],
      });
      assert.equal(res.status, 400, String(t));
      assert.match(
        String(res.json.message),
        /metrics\[0\]\.timestamp: .* ms is outside the range a query can read/,
      );
    }
    const last = await postJson(ingest, {
      metrics: [{ name: 'edge_of_time', type: 'gauge', value: 7, timestamp: MAX_TIMESTAMP_MS }],
    });
    assert.equal(last.status, 200, JSON.stringify(last.json));
    const q = await fetch(`${server.url}/api/v1/query?query=edge_of_time&time=${MAX_TIMESTAMP_MS / 1000}`);
    const body = (await q.json()) as { data: { result: { value: [number, string] }[] } };
    assert.equal(q.status, 200, JSON.stringify(body));
    assert.deepEqual(body.data.result[0]?.value, [MAX_TIMESTAMP_MS / 1000, '7']);
  });

  it('answers 429 naming the metric and the limits when the database is full of series, and keeps serving old series', async () => {
    const first = await postJson(ingest, { metrics: [{ name: 'old_series', type: 'gauge', value: 1 }] });
    assert.equal(first.status, 200);
    const res = await postJson(ingest, {
      metrics: Array.from({ length: 60 }, (_, i) => ({
        name: 'many_series',
        type: 'gauge',
        value: i,
        labels: { i: String(i) },
      })),
    });
    assert.equal(res.status, 429);
    assert.match(
      String(res.json.message),
      /samples refused: the series limit is reached for many_series \(--max-series-per-metric=100000, --max-series=50\)/,
    );
    const again = await postJson(ingest, { metrics: [{ name: 'old_series', type: 'gauge', value: 2 }] });
    assert.equal(again.status, 200, JSON.stringify(again.json));
  });
});

describe('content types at push endpoints', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  const point = JSON.stringify({ metrics: [{ name: 'cross_site_total', type: 'counter', value: 1 }] });

  it('refuses the text/plain POST a web page can send cross-site without a preflight, and stores nothing', async () => {
    const res = await fetch(`${server.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'http://evil.example' },
      body: point,
    });
    assert.ok(res.status === 403 || res.status === 415, String(res.status));
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const plain = await post(`${server.url}/v1/ingest`, point, 'text/plain');
    assert.equal(plain.status, 415);
    assert.match(
      plain.json.message,
      /Content-Type "text\/plain" is not accepted here \(use application\/json\)/,
    );
    const none = await fetch(`${server.url}/v1/ingest`, {
      method: 'POST',
      body: new Uint8Array(Buffer.from(point)),
    });
    assert.equal(none.status, 415);
    const text = await metricsText(server);
    assert.doesNotMatch(text, /cross_site_total/);
  });

  it('refuses a JSON push from a foreign web origin, accepts the same push without one', async () => {
    const res = await fetch(`${server.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: point,
    });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { message: string }).message, /--cors-origin/);
    assert.doesNotMatch(await metricsText(server), /cross_site_total/);
    assert.equal((await post(`${server.url}/v1/ingest`, point)).status, 200);
  });
});
