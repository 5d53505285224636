/**
 * A real Prometheus (Debian's `prometheus`) scrapes a local target and remote-writes to TinyObs:
 * every sample Prometheus stored must be in TinyObs with the same labels, timestamp and value.
 */

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitFor } from './support/ports.js';
import { startPrometheus } from './support/prometheus.js';
import { startTestServer, type TestServer } from './support/server.js';
import { requireBinary } from './support/system.js';

interface Matrix {
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

describe('remote write from a real Prometheus', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('what Prometheus scraped is what TinyObs holds', async (t) => {
    const prometheus = requireBinary(t, 'prometheus', 'prometheus');
    if (prometheus === null) return;
    // The scraped target: a counter that grows on every scrape, a gauge, a value with decimals.
    let scrapes = 0;
    const target = createServer((_req, res) => {
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# TYPE demo_requests_total counter\ndemo_requests_total{path="/a"} ${scrapes * 3}\n` +
          `demo_requests_total{path="/b"} ${scrapes}\n# TYPE demo_temperature gauge\ndemo_temperature ${20 + (scrapes % 7) * 0.1}\n`,
      );
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    const prom = await startPrometheus(
      prometheus,
      `global: {scrape_interval: 1s, scrape_timeout: 1s}
scrape_configs:
  - job_name: demo
    static_configs: [{targets: ['${targetAddr}']}]
remote_write:
  - url: ${server.url}/api/v1/write
    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
    metadata_config: {send_interval: 1s}
`,
    );
    t.after(async () => {
      await prom.stop();
      await new Promise((r) => target.close(r));
    });
    const range = async (base: string, q: string, at: number): Promise<Matrix> => {
      const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${at / 1000}`);
      assert.equal(r.status, 200, `${base}: ${await r.clone().text()}`);
      return (await r.json()) as Matrix;
    };

    // Wait until TinyObs holds at least 5 scrapes of the counter.
    await waitFor(
      'remote-written samples in TinyObs',
      async () => {
        const m = await range(server.url, 'demo_requests_total{path="/a"}[1m]', Date.now());
        return (m.data.result[0]?.values.length ?? 0) >= 5 ? true : undefined;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus log:\n${prom.log()}`);
    });
    // Compare up to a time both have fully: the newest sample TinyObs holds, minus a second.
    const tiny = await range(server.url, '{job="demo"}[1m]', Date.now());
    let newest = 0;
    for (const s of tiny.data.result) for (const [ts] of s.values) newest = Math.max(newest, ts);
    const at = Math.floor((newest - 1.5) * 1000);
    const q = '{job="demo"}[1m]';
    const fromProm = await range(prom.url, q, at);
    const fromTiny = await range(server.url, q, at);
    const norm = (m: Matrix) =>
      m.data.result
        .map((s) => `${JSON.stringify(Object.entries(s.metric).sort())} ${JSON.stringify(s.values)}`)
        .sort();
    const expected = norm(fromProm);
    assert.ok(expected.length >= 8, `Prometheus holds its series (${expected.length})`);
    assert.ok(expected.some((s) => s.includes('demo_temperature')));
    assert.deepEqual(norm(fromTiny), expected);
    // Prometheus sent metadata too.
    const meta = (await (await fetch(`${server.url}/api/v1/metadata?metric=demo_requests_total`)).json()) as {
      data: Record<string, { type: string }[]>;
    };
    await waitFor(
      'metadata',
      async () => {
        const m = (await (
          await fetch(`${server.url}/api/v1/metadata?metric=demo_requests_total`)
        ).json()) as typeof meta;
        return m.data.demo_requests_total?.[0]?.type === 'counter' ? true : undefined;
      },
      20_000,
    );
  });

  it('answers the spec: 204 for a good body, 400 for garbage, 415 for a wrong encoding or message', async () => {
    const { compressSnappy } = await import('../src/ingest/remotewrite/snappy.js');
    const { encodeWriteRequestV1, encodeWriteRequestV2 } = await import(
      '../src/ingest/remotewrite/encode.js'
    );
    const labels = [
      { name: '__name__', value: 'rw_test' },
      { name: 'job', value: 'x' },
    ];
    const now = Date.now();
    const post = (body: Uint8Array, headers: Record<string, string>) =>
      fetch(`${server.url}/api/v1/write`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', ...headers },
        body,
      });
    const ok = await post(compressSnappy(encodeWriteRequestV1([{ labels, ts: [now], vs: [1] }])), {
      'x-prometheus-remote-write-version': '0.1.0',
    });
    assert.equal(ok.status, 204);
    const v2 = await post(
      compressSnappy(encodeWriteRequestV2([{ labels, ts: [now + 1, now + 2], vs: [2, 3] }])),
      {
        'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
        'x-prometheus-remote-write-version': '2.0.0',
      },
    );
    assert.equal(v2.status, 204);
    assert.equal(v2.headers.get('x-prometheus-remote-write-samples-written'), '2');
    const garbage = await post(compressSnappy(Buffer.from([0x0a, 0x09, 0x0a])), {});
    assert.equal(garbage.status, 400);
    assert.match(await garbage.text(), /WriteRequest/);
    assert.equal((await post(Buffer.from('x'), { 'content-encoding': 'gzip' })).status, 400);
    assert.equal(
      (await post(compressSnappy(Buffer.alloc(0)), { 'content-encoding': 'identity' })).status,
      415,
    );
    assert.equal(
      (
        await post(compressSnappy(Buffer.alloc(0)), {
          'content-type': 'application/x-protobuf;proto=foo.Bar',
        })
      ).status,
      415,
    );
    const partial = await post(
      compressSnappy(
        encodeWriteRequestV1([
          { labels: [{ name: '__name__', value: 'rw_partial' }], ts: [now], vs: [5] },
          { labels: [{ name: '__name__', value: 'bad-name' }], ts: [now], vs: [6] },
        ]),
      ),
      {},
    );
    assert.equal(partial.status, 400);
    assert.match(await partial.text(), /timeseries\[1\]/);
    const r = await fetch(`${server.url}/api/v1/query?query=rw_partial`);
    const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
    assert.equal(body.data.result[0]?.value[1], '5', 'the valid series of a partly bad request is stored');
  });
});
