/**
 * Remote write 2.0's `X-Prometheus-Remote-Write-*-Written` headers are on every answer to a 2.0
 * request, errors included, and count what was stored despite the error (the 2.0 spec, "Required
 * Written Response Headers"); 1.0 answers carry none (1.0 senders do not read them).
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  encodeWriteRequestV1,
  encodeWriteRequestV2,
  type WriteSeries,
} from '../src/ingest/remotewrite/encode.js';
import { compressSnappy } from '../src/ingest/remotewrite/snappy.js';
import type { Labels } from '../src/model/labels.js';
import { startTestServer, type TestServer } from './support/server.js';

const V2_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

const series = (name: string, ts: number[], extra: Labels = []): WriteSeries => ({
  labels: [{ name: '__name__', value: name }, ...extra],
  ts,
  vs: ts.map((_, i) => i + 1),
});

function post(server: TestServer, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/api/v1/write`, {
    method: 'POST',
    headers: {
      'content-type': V2_TYPE,
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '2.0.0',
      ...headers,
    },
    body,
  });
}

/** The three written counts of an answer (null where a header is missing). */
function written(r: Response): (string | null)[] {
  return ['samples', 'histograms', 'exemplars'].map((k) =>
    r.headers.get(`x-prometheus-remote-write-${k}-written`),
  );
}

describe('remote write 2.0 written counts on every answer', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ maxSeriesPerMetric: 2, maxSamplesPerRequest: 100 });
  });
  after(() => server.stop());
  const now = Date.now();

  it('204 counts every sample', async () => {
    const r = await post(server, compressSnappy(encodeWriteRequestV2([series('rw2_ok', [now, now + 1])])));
    assert.equal(r.status, 204, await r.text());
    assert.deepEqual(written(r), ['2', '0', '0']);
  });

  it('a partial write (invalid series) answers 400 counting the samples stored despite it', async () => {
    const body = encodeWriteRequestV2([
      series('rw2_partial', [now, now + 1, now + 2]),
      series('bad-name', [now]),
    ]);
    const r = await post(server, compressSnappy(body));
    assert.equal(r.status, 400);
    assert.match(await r.text(), /timeseries\[1\]/);
    assert.deepEqual(written(r), ['3', '0', '0']);
  });

  it('a series limit answers 429 counting the samples of the series that fitted', async () => {
    const body = encodeWriteRequestV2([
      series('rw2_limited', [now], [{ name: 'i', value: '1' }]),
      series('rw2_limited', [now], [{ name: 'i', value: '2' }]),
      series('rw2_limited', [now, now + 1], [{ name: 'i', value: '3' }]),
    ]);
    const r = await post(server, compressSnappy(body));
    assert.equal(r.status, 429);
    assert.match(await r.text(), /rw2_limited/);
    assert.deepEqual(written(r), ['2', '0', '0']);
  });

  it('a wrong encoding (415), a malformed body (400) or too many samples (413) count 0', async () => {
    const good = compressSnappy(encodeWriteRequestV2([series('rw2_refused', [now])]));
    const wrongEncoding = await post(server, good, { 'content-encoding': 'identity' });
    assert.equal(wrongEncoding.status, 415);
    assert.deepEqual(written(wrongEncoding), ['0', '0', '0']);
    const garbage = await post(server, compressSnappy(Buffer.from([0x22, 0x09, 0x0a])));
    assert.equal(garbage.status, 400);
    assert.deepEqual(written(garbage), ['0', '0', '0']);
    const ts = Array.from({ length: 101 }, (_, i) => now + i);
    const tooMany = await post(server, compressSnappy(encodeWriteRequestV2([series('rw2_many', ts)])));
    assert.equal(tooMany.status, 413);
    assert.deepEqual(written(tooMany), ['0', '0', '0']);
  });

  it('1.0 answers carry no written counts, success or error', async () => {
    const v1 = { 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' };
    const ok = await post(server, compressSnappy(encodeWriteRequestV1([series('rw1_ok', [now])])), v1);
    assert.equal(ok.status, 204);
    assert.deepEqual(written(ok), [null, null, null]);
    const bad = await post(
      server,
      compressSnappy(encodeWriteRequestV1([series('rw1_ok', [now + 1]), series('bad-name', [now])])),
      v1,
    );
    assert.equal(bad.status, 400);
    assert.deepEqual(written(bad), [null, null, null]);
  });

  it('a storage failure (507, nothing acknowledged) counts 0', async () => {
    const full = await startTestServer({ maxStorageBytes: 1 });
    try {
      const r = await post(full, compressSnappy(encodeWriteRequestV2([series('rw2_full', [now])])));
      assert.ok(r.status >= 500, `status ${r.status}: ${await r.text()}`);
      assert.deepEqual(written(r), ['0', '0', '0']);
    } finally {
      await full.stop();
    }
  });
});
