import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchRows } from '../../../test/support/batch.js';
import { labelsFromRecord } from '../../model/labels.js';
import { isStaleNaN, STALE_NAN } from '../../model/sample.js';
import { IngestError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { decodeRemoteWriteV1, decodeRemoteWriteV2 } from './decode.js';
import { encodeWriteRequestV1, encodeWriteRequestV2, type WriteSeries } from './encode.js';
import { compressSnappy, uncompressSnappy } from './snappy.js';

const L = DEFAULT_INGEST_LIMITS;
const up = labelsFromRecord({ __name__: 'up', job: 'node', instance: 'a:9100' });
const reqs = labelsFromRecord({ __name__: 'http_requests_total', code: '200', job: 'api' });
const series: WriteSeries[] = [
  { labels: up, ts: [1000, 2000, 3000], vs: Float64Array.of(1, 0, STALE_NAN) },
  { labels: reqs, ts: [1500], vs: [42.5] },
];

function rows(p: ReturnType<typeof decodeRemoteWriteV1>): string[] {
  return batchRows(p.batch).map(
    (r) => `${JSON.stringify(r.labels)} ${r.t} ${isStaleNaN(r.v) ? 'stale' : String(r.v)}`,
  );
}

const expected = [
  `${JSON.stringify(up)} 1000 1`,
  `${JSON.stringify(up)} 2000 0`,
  `${JSON.stringify(up)} 3000 stale`,
  `${JSON.stringify(reqs)} 1500 42.5`,
];

describe('remote write decoding', () => {
  it('1.0: every sample with its labels, the staleness marker bit for bit, and metadata', () => {
    const body = encodeWriteRequestV1(series, [
      { metric: 'http_requests_total', type: 'counter', help: 'Requests.', unit: '' },
    ]);
    const p = decodeRemoteWriteV1(uncompressSnappy(compressSnappy(body), 1 << 20), L);
    assert.deepEqual(rows(p), expected);
    assert.deepEqual(p.batch.issues, []);
    assert.equal(p.samples, 4);
    assert.deepEqual(p.batch.metadata.get('http_requests_total'), {
      type: 'counter',
      help: 'Requests.',
      unit: '',
    });
  });

  it('2.0: labels through the symbol table, metadata per series', () => {
    const meta = new Map([
      [
        'http_requests_total',
        { metric: 'http_requests_total', type: 'counter' as const, help: 'Requests.', unit: 'requests' },
      ],
    ]);
    const p = decodeRemoteWriteV2(encodeWriteRequestV2(series, meta), L);
    assert.deepEqual(rows(p), expected);
    assert.equal(p.samples, 4);
    assert.deepEqual(p.batch.metadata.get('http_requests_total'), {
      type: 'counter',
      help: 'Requests.',
      unit: 'requests',
    });
  });

  it('unsorted labels are sorted; an invalid series is refused alone and named', () => {
    const unsorted = [
      { name: 'job', value: 'x' },
      { name: '__name__', value: 'a' },
    ];
    const bad = labelsFromRecord({ __name__: 'a', 'bad-name': 'x' });
    const noName = labelsFromRecord({ job: 'x' });
    for (const decode of [
      (s: WriteSeries[]) => decodeRemoteWriteV1(encodeWriteRequestV1(s), L),
      (s: WriteSeries[]) => decodeRemoteWriteV2(encodeWriteRequestV2(s), L),
    ]) {
      const p = decode([
        { labels: bad, ts: [1], vs: [1] },
        { labels: unsorted, ts: [2], vs: [2] },
        { labels: noName, ts: [3], vs: [3] },
      ]);
      assert.equal(p.batch.length, 1);
      assert.deepEqual(batchRows(p.batch)[0]!.labels, labelsFromRecord({ __name__: 'a', job: 'x' }));
      assert.deepEqual(
        p.batch.issues.map((i) => [i.where, i.field]),
        [
          ['timeseries[0]', 'labels.bad-name'],
          ['timeseries[2]', 'name'],
        ],
      );
    }
  });

  it('truncated or garbled protobuf is a bad_request for the whole body', () => {
    const body = encodeWriteRequestV1(series);
    for (const cut of [1, 5, body.length - 1]) {
      assert.throws(
        () => decodeRemoteWriteV1(body.subarray(0, cut), L),
        (e: unknown) =>
          e instanceof IngestError && e.code === 'bad_request' && /WriteRequest/.test(e.message),
      );
    }
  });

  it('2.0: a label reference outside the symbol table refuses that series', () => {
    // symbols ["", "__name__"], one series referring to symbol 7
    const body = Buffer.from([
      0x22,
      0x00,
      0x22,
      0x08,
      ...Buffer.from('__name__'),
      0x2a,
      0x04,
      0x0a,
      0x02,
      0x01,
      0x07,
    ]);
    const p = decodeRemoteWriteV2(body, L);
    assert.equal(p.batch.length, 0);
    assert.match(p.batch.issues[0]!.message, /outside the symbol table/);
  });

  it('snappy: a block announcing more than the limit is refused before decompressing', () => {
    const block = compressSnappy(Buffer.alloc(5000));
    assert.throws(
      () => uncompressSnappy(block, 4000),
      (e: unknown) => e instanceof IngestError && e.code === 'payload_too_large',
    );
    assert.throws(
      () => uncompressSnappy(Buffer.from([0x05, 0xff, 0xff]), 4000),
      (e: unknown) => e instanceof IngestError && e.code === 'bad_request',
    );
  });
});
