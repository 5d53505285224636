import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchRows } from '../../../test/support/batch.js';
import { type Label, labelsFromRecord } from '../../model/labels.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { LEN } from '../protobuf/reader.js';
import { ProtoWriter } from '../protobuf/writer.js';
import { RawSeriesCache } from '../series/raw_cache.js';
import { decodeRemoteWriteV1 } from './decode.js';
import { encodeWriteRequestV1, type WriteSeries } from './encode.js';

const L = DEFAULT_INGEST_LIMITS;
const up = labelsFromRecord({ __name__: 'up', job: 'node', instance: 'a:9100' });
const reqs = labelsFromRecord({ __name__: 'http_requests_total', code: '200', job: 'api' });

const rows = (p: ReturnType<typeof decodeRemoteWriteV1>) =>
  batchRows(p.batch).map((r) => `${JSON.stringify(r.labels)} ${r.t} ${r.v}`);

/** A WriteRequest written field by field, so the order of labels and samples can be chosen. */
function handWritten(parts: ({ label: Label } | { sample: [number, number] })[][]): Buffer {
  const w = new ProtoWriter();
  for (const fields of parts) {
    const ts = w.beginMessage(1);
    for (const f of fields) {
      if ('label' in f) {
        const m = w.beginMessage(1);
        w.string(1, f.label.name);
        w.string(2, f.label.value);
        w.endMessage(m);
      } else {
        const m = w.beginMessage(2);
        w.double(1, f.sample[1]);
        w.varintField(2, f.sample[0]);
        w.endMessage(m);
      }
    }
    w.endMessage(ts);
  }
  return w.finish();
}

describe('remote write 1.0 series cache', () => {
  it('a repeated series is taken from the cache with its ref, and decodes exactly as without the cache', () => {
    const cache = new RawSeriesCache();
    const body = (t: number): WriteSeries[] => [
      { labels: up, ts: [t], vs: [1] },
      { labels: reqs, ts: [t, t + 500], vs: [10, 11] },
    ];
    const first = decodeRemoteWriteV1(encodeWriteRequestV1(body(1000)), L, cache);
    assert.deepEqual(rows(first), rows(decodeRemoteWriteV1(encodeWriteRequestV1(body(1000)), L)));
    // What a commit does: refs for the batch's series, kept in the cache.
    first.batch.refs[0] = 7;
    first.batch.refs[1] = 8;
    first.slots.rememberRefs();

    const second = decodeRemoteWriteV1(encodeWriteRequestV1(body(2000)), L, cache);
    assert.deepEqual(rows(second), rows(decodeRemoteWriteV1(encodeWriteRequestV1(body(2000)), L)));
    // The same validated label arrays, and the refs storage gave them: no decoding, no hashing.
    assert.equal(second.batch.labelsOf(0), first.batch.labelsOf(0));
    assert.equal(second.batch.labelsOf(1), first.batch.labelsOf(1));
    assert.deepEqual([...second.batch.refs.subarray(0, second.batch.seriesCount)], [7, 8]);
  });

  it('one series spelled in two label orders is one series of the batch, the last point winning', () => {
    const cache = new RawSeriesCache();
    const a = up.map((label) => ({ label }));
    const b = [...a].reverse();
    const req = handWritten([
      [...a, { sample: [1000, 1] }],
      [...b, { sample: [1000, 2] }],
    ]);
    for (let round = 0; round < 2; round++) {
      const p = decodeRemoteWriteV1(req, L, cache);
      assert.equal(p.batch.seriesCount, 1, `round ${round}`);
      assert.deepEqual(rows(p), [`${JSON.stringify(up)} 1000 2`], `round ${round}`);
    }
  });

  it('labels written after the samples are decoded in full, never keyed by a partial spelling', () => {
    const cache = new RawSeriesCache();
    const [name, ...rest] = up;
    // Cached first: a series that is only the metric name, whose label bytes are the others' prefix.
    const bare = decodeRemoteWriteV1(handWritten([[{ label: name! }, { sample: [2000, 3] }]]), L, cache);
    assert.deepEqual(rows(bare), [`${JSON.stringify([name])} 2000 3`]);
    const req = handWritten([[{ label: name! }, { sample: [1000, 1] }, ...rest.map((label) => ({ label }))]]);
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(rows(decodeRemoteWriteV1(req, L, cache)), [`${JSON.stringify(up)} 1000 1`]);
    }
  });

  it('an invalid series is refused every time, never cached', () => {
    const cache = new RawSeriesCache();
    const bad = labelsFromRecord({ __name__: 'up', 'bad-name': 'x' });
    const req = encodeWriteRequestV1([
      { labels: bad, ts: [1000], vs: [1] },
      { labels: up, ts: [1000], vs: [1] },
    ]);
    for (let round = 0; round < 2; round++) {
      const p = decodeRemoteWriteV1(req, L, cache);
      assert.equal(p.batch.issues.length, 1, `round ${round}`);
      assert.equal(p.batch.issues[0]!.where, 'timeseries[0]');
      assert.deepEqual(rows(p), [`${JSON.stringify(up)} 1000 1`]);
    }
  });

  it('a malformed series after cached ones still fails the whole request with a 400', () => {
    const cache = new RawSeriesCache();
    const good = encodeWriteRequestV1([{ labels: up, ts: [1000], vs: [1] }]);
    decodeRemoteWriteV1(good, L, cache);
    // The good series again, then a TimeSeries whose length runs past the end of the body.
    const torn = Buffer.concat([good, Buffer.from([(1 << 3) | LEN, 0x7f, 0x0a])]);
    assert.throws(() => decodeRemoteWriteV1(torn, L, cache), /cannot decode prometheus\.WriteRequest/);
  });
});
