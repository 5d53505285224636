/**
 * Forwarding with remote write 2.0 to a second TinyObs (its receiver speaks 2.0), and the
 * fall back to 1.0 of `protobuf_message: auto` when a target refuses 2.0 with a 415.
 */

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeWriteRequestV1 } from '../../src/ingest/remotewrite/encode.js';
import { compressSnappy } from '../../src/ingest/remotewrite/snappy.js';
import { labelsFromRecord } from '../../src/model/labels.js';
import { STALE_NAN } from '../../src/model/sample.js';
import { waitFor } from '../support/ports.js';
import { postJson, startTestServer, tempDir } from '../support/server.js';

interface TargetJson {
  name: string;
  pending_samples: number;
  sent_samples: number;
  dropped_samples: number;
  protobuf_message: string;
}

async function drained(url: string): Promise<TargetJson[]> {
  return waitFor('remote write to drain', async () => {
    const ts = ((await (await fetch(`${url}/v1/stats`)).json()) as { remote_write: TargetJson[] })
      .remote_write;
    return ts.every((t) => t.pending_samples === 0) ? ts : undefined;
  });
}

/** Pushes gauges with help and unit and counters without, `points` per series; returns the count. */
async function pushSeries(url: string, start: number, points: number): Promise<number> {
  const metrics: unknown[] = [];
  for (let i = 0; i < points; i++) {
    for (const host of ['a', 'b', 'c']) {
      const timestamp = start + i * 1000;
      metrics.push({
        name: 'v2_temp',
        type: 'gauge',
        help: 'Temperature of the room.',
        unit: 'celsius',
        value: i / 8,
        labels: { host },
        timestamp,
      });
      metrics.push({ name: 'v2_requests_total', type: 'counter', value: i, labels: { host }, timestamp });
    }
  }
  const r = await postJson(`${url}/v1/ingest`, { metrics });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return metrics.length;
}

/** A staleness marker for one series, through remote write 1.0 (the only way a client sends one). */
async function pushStale(url: string, labels: Record<string, string>, t: number): Promise<void> {
  const body = compressSnappy(
    // A Float64Array: V8 makes every NaN in a plain array of numbers the same NaN.
    encodeWriteRequestV1([{ labels: labelsFromRecord(labels), ts: [t], vs: Float64Array.of(STALE_NAN) }]),
  );
  const r = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    body,
  });
  assert.equal(r.status, 204, await r.text());
}

async function exportJsonl(url: string, match: string): Promise<string> {
  const r = await fetch(`${url}/v1/export?format=jsonl&start=0&match[]=${encodeURIComponent(match)}`);
  assert.equal(r.status, 200);
  return r.text();
}

async function instant(url: string, query: string, t: number): Promise<unknown[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}&time=${t / 1000}`);
  const body = (await r.json()) as { data: { result: unknown[] } };
  return body.data.result;
}

describe('remote write 2.0 forwarding', () => {
  it('sends metadata and staleness markers to a TinyObs over 2.0, every sample once', async () => {
    const receiver = await startTestServer();
    const sender = await startTestServer({ remoteWriteUrls: [`${receiver.url}/api/v1/write`] });
    try {
      const start = Date.now() - 600_000;
      const count = await pushSeries(sender.url, start, 100);
      const staleAt = start + 100_000;
      await pushStale(sender.url, { __name__: 'v2_temp', host: 'a' }, staleAt);
      const [target] = await drained(sender.url);
      assert.equal(target!.protobuf_message, 'io.prometheus.write.v2.Request');
      assert.equal(target!.sent_samples, count + 1);
      assert.equal(target!.dropped_samples, 0);

      const sent = await exportJsonl(sender.url, '{__name__=~"v2_.*"}');
      assert.equal(sent.trim().split('\n').length, 6);
      assert.equal(await exportJsonl(receiver.url, '{__name__=~"v2_.*"}'), sent);

      // The marker kept its bits: host a ends at once, host b is still found by the lookback.
      const after = staleAt + 1000;
      assert.equal((await instant(sender.url, 'v2_temp{host="a"}', after)).length, 0);
      assert.equal((await instant(receiver.url, 'v2_temp{host="a"}', after)).length, 0);
      assert.equal((await instant(receiver.url, 'v2_temp{host="a"}', staleAt - 1)).length, 1);
      assert.equal((await instant(receiver.url, 'v2_temp{host="b"}', after)).length, 1);

      const meta = (await (await fetch(`${receiver.url}/api/v1/metadata`)).json()) as {
        data: Record<string, { type: string; help: string; unit: string }[]>;
      };
      assert.deepEqual(meta.data.v2_temp, [
        { type: 'gauge', help: 'Temperature of the room.', unit: 'celsius' },
      ]);
      assert.deepEqual(meta.data.v2_requests_total, [{ type: 'counter', help: '', unit: '' }]);
    } finally {
      await sender.stop();
      await receiver.stop();
    }
  });

  it('auto keeps 2.0 when a 2.0 receiver refuses the first batch (400 with its Written header)', async () => {
    const receiver = await startTestServer({ maxLabelsPerSeries: 2 });
    const sender = await startTestServer({ remoteWriteUrls: [`${receiver.url}/api/v1/write`] });
    try {
      const r = await postJson(`${sender.url}/v1/ingest`, {
        metrics: [
          { name: 'v2_wide', value: 1, labels: { a: '1', b: '2', c: '3' }, timestamp: Date.now() - 1000 },
          { name: 'v2_narrow', value: 2, labels: { a: '1' }, timestamp: Date.now() - 1000 },
        ],
      });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      const [target] = await drained(sender.url);
      assert.equal(target!.protobuf_message, 'io.prometheus.write.v2.Request');
      // The wide series' batch is refused, dropped and counted (with the narrow one when they share a shard).
      assert.ok(target!.dropped_samples >= 1, 'the refused batch is dropped and counted');
      assert.equal(target!.dropped_samples + target!.sent_samples, 2);
      // The receiver kept the valid series of the partial write.
      assert.match(await exportJsonl(receiver.url, '{__name__=~"v2_.*"}'), /v2_narrow/);
    } finally {
      await sender.stop();
      await receiver.stop();
    }
  });

  it('auto falls back to 1.0 on a 415 and remembers it; a target set to 2.0 drops and counts', async () => {
    const receiver = await startTestServer();
    // A 1.x-only front of the receiver: 415 for anything but a 1.0 body, which it passes on.
    const refused = new Map<string, number>();
    const front: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (String(req.headers['content-type']).includes('io.prometheus.write.v2.Request')) {
          refused.set(req.url!, (refused.get(req.url!) ?? 0) + 1);
          res.writeHead(415).end('only prometheus.WriteRequest');
          return;
        }
        const r = await fetch(`${receiver.url}/api/v1/write`, {
          method: 'POST',
          headers: {
            'content-type': String(req.headers['content-type']),
            'content-encoding': String(req.headers['content-encoding']),
          },
          body: Buffer.concat(chunks),
        });
        res.writeHead(r.status).end(await r.text());
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    const frontUrl = `http://127.0.0.1:${(front.address() as { port: number }).port}`;
    const dir = tempDir();
    const config = join(dir, 'remote.yml');
    writeFileSync(
      config,
      `remote_write:\n  - url: ${frontUrl}/auto\n    name: auto\n    shards: 3\n    max_samples_per_send: 50\n` +
        `  - url: ${frontUrl}/strict\n    name: strict\n    protobuf_message: io.prometheus.write.v2.Request\n`,
    );
    const sender = await startTestServer({ remoteWriteConfig: config });
    try {
      const count = await pushSeries(sender.url, Date.now() - 600_000, 100);
      const [auto, strict] = await drained(sender.url);
      assert.equal(auto!.protobuf_message, 'prometheus.WriteRequest');
      assert.equal(auto!.sent_samples, count);
      assert.equal(auto!.dropped_samples, 0);
      assert.equal(strict!.protobuf_message, 'io.prometheus.write.v2.Request');
      assert.equal(strict!.sent_samples, 0);
      assert.equal(strict!.dropped_samples, count);
      assert.equal(refused.get('/auto'), 1, 'auto asked with 2.0 once');
      assert.ok(refused.get('/strict')! >= 1);
      const match = '{__name__=~"v2_.*"}';
      assert.equal(await exportJsonl(receiver.url, match), await exportJsonl(sender.url, match));
    } finally {
      await sender.stop();
      await receiver.stop();
      front.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
