import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsKey } from '../model/labels.js';
import { SampleBatch } from './batch.js';
import { IngestError } from './errors.js';
import { DEFAULT_INGEST_LIMITS } from './limits.js';

const T = Date.UTC(2025, 0, 1);

describe('SampleBatch', () => {
  it('gives one index per label set within a request, whatever the label order', () => {
    const b = new SampleBatch(DEFAULT_INGEST_LIMITS);
    const a = b.addSeries([
      { name: 'b', value: '2' },
      { name: '__name__', value: 'm' },
      { name: 'a', value: '1' },
    ]);
    const c = b.addSeries([
      { name: '__name__', value: 'm' },
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
      { name: 'empty', value: '' },
    ]);
    assert.equal(a, 0);
    assert.equal(c, 0);
    assert.deepEqual(
      b.labelsOf(0).map((l) => l.name),
      ['__name__', 'a', 'b'],
    );
  });

  it('holds more series than its expected capacity, each with its labels, key and ref', () => {
    const b = new SampleBatch(DEFAULT_INGEST_LIMITS, 2);
    const valid = [
      { name: '__name__', value: 'm' },
      { name: 'i', value: 'cached' },
    ];
    assert.equal(b.addValidSeries(valid, 42), 0);
    for (let i = 1; i < 40; i++) {
      assert.equal(
        b.addSeries([
          { name: 'i', value: String(i) },
          { name: '__name__', value: 'm' },
        ]),
        i,
      );
    }
    assert.equal(b.seriesCount, 40);
    assert.equal(b.refs[0], 42);
    for (let i = 0; i < 40; i++) {
      const labels = b.labelsOf(i);
      assert.equal(labels[1]!.value, i === 0 ? 'cached' : String(i));
      assert.equal(b.keyOf(i), labelsKey(labels));
      if (i > 0) assert.equal(b.refs[i], 0);
    }
  });

  it('keeps the last value for a repeated series and timestamp, also after going back in time', () => {
    const b = new SampleBatch(DEFAULT_INGEST_LIMITS);
    const s = b.addSeries([{ name: '__name__', value: 'm' }]) as number;
    for (const [t, v] of [
      [T, 1],
      [T + 1, 2],
      [T, 3],
      [T + 1, 4],
      [T + 2, 5],
    ] as const)
      assert.equal(b.add(s, t, v), null);
    assert.equal(b.length, 3);
    assert.deepEqual(
      [0, 1, 2].map((i) => [b.timeOf(i) - T, b.valueOf(i)]),
      [
        [0, 3],
        [1, 4],
        [2, 5],
      ],
    );
  });

  it('refuses invalid series, timestamps and metadata with the field and the flag', () => {
    const b = new SampleBatch({ ...DEFAULT_INGEST_LIMITS, maxHelpLength: 10 });
    assert.deepEqual(
      b.addSeries([
        { name: '__name__', value: 'm' },
        { name: 'x', value: '\ud800' },
      ]),
      {
        field: 'labels.x',
        message: 'value is not valid Unicode (it holds a lone surrogate such as \\ud800)',
      },
    );
    assert.match(
      String((b.addSeries([{ name: 'x', value: 'y' }]) as { message: string }).message),
      /required/,
    );
    const s = b.addSeries([{ name: '__name__', value: 'm' }]) as number;
    assert.equal(b.add(s, 8.64e15, 1)?.field, 'timestamp');
    assert.equal(b.add(s, 1.5, 1)?.field, 'timestamp');
    assert.match(
      String(b.setMetadata('m', { type: 'gauge', help: 'x'.repeat(11), unit: '' })?.message),
      /is 11 characters long \(limit 10, --max-help-length\)/,
    );
    assert.equal(b.metadata.size, 0);
  });

  it('throws a 413 error past the samples-per-request limit', () => {
    const b = new SampleBatch({ ...DEFAULT_INGEST_LIMITS, maxSamplesPerRequest: 2 });
    const s = b.addSeries([{ name: '__name__', value: 'm' }]) as number;
    b.add(s, T, 1);
    b.add(s, T + 1, 1);
    assert.throws(
      () => b.add(s, T + 2, 1),
      (err: unknown) => err instanceof IngestError && err.code === 'payload_too_large',
    );
  });
});
