import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 as rng } from '../../../test/support/prng.js';
import { IngestError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { parseJsonIngest } from './parse.js';

const ODD_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  '',
  'x',
  '+Inf',
  [],
  {},
  [1],
  { a: 1 },
  'ü\u0000',
  '0001-01-01T00:00:00Z',
];

function randomValue(r: () => number): unknown {
  return ODD_VALUES[Math.floor(r() * ODD_VALUES.length)];
}

function mutate(r: () => number): unknown {
  const point: Record<string, unknown> = {
    name: 'm_total',
    type: 'counter',
    value: 1,
    labels: { service: 'a', le: '0.5' },
    timestamp: '2025-11-18T12:34:56Z',
  };
  for (const key of ['name', 'type', 'value', 'labels', 'timestamp', 'help', 'unit']) {
    if (r() < 0.3) point[key] = randomValue(r);
  }
  if (r() < 0.2) point.labels = { [String(randomValue(r))]: randomValue(r) };
  return r() < 0.05 ? randomValue(r) : { metrics: [point, randomValue(r)] };
}

describe('native JSON parser', () => {
  it('refuses bad input only with an IngestError or a per-point issue, never another exception', () => {
    const r = rng(7);
    let issues = 0;
    for (let i = 0; i < 5000; i++) {
      const text = JSON.stringify(mutate(r)) ?? 'undefined';
      try {
        issues += parseJsonIngest(text, DEFAULT_INGEST_LIMITS, 1).issues.length;
      } catch (err) {
        assert.ok(err instanceof IngestError, `unexpected ${String(err)} for ${text}`);
      }
    }
    assert.ok(issues > 1000, 'the mutations exercise the per-point rules');
  });

  it('names the index and field of every refused point and keeps the others', () => {
    const batch = parseJsonIngest(
      JSON.stringify({
        metrics: [
          { name: 'ok', value: 1 },
          { name: 'ok', value: 'no' },
          { name: 'b', type: 'histogram', value: 1 },
        ],
      }),
      DEFAULT_INGEST_LIMITS,
      1,
    );
    assert.equal(batch.total, 3);
    assert.equal(batch.length, 1);
    assert.deepEqual(
      batch.issues.map((i) => [i.where, i.field]),
      [
        ['metrics[1]', 'value'],
        ['metrics[2]', 'name'],
      ],
    );
  });

  it('records metadata only from points that declare a type, help or unit', () => {
    const batch = parseJsonIngest(
      JSON.stringify({
        metrics: [
          { name: 'plain', value: 1 },
          { name: 'typed', type: 'gauge', value: 1 },
        ],
      }),
      DEFAULT_INGEST_LIMITS,
      1,
    );
    assert.deepEqual([...batch.metadata.keys()], ['typed']);
  });

  it('normalises le and files histogram points under their family', () => {
    const batch = parseJsonIngest(
      JSON.stringify({
        metrics: [
          { name: 'lat_bucket', type: 'histogram', value: 1, labels: { le: '1.0' } },
          { name: 'lat_bucket', type: 'histogram', value: 2, labels: { le: '+inf' } },
          { name: 'lat_count', type: 'histogram', value: 2, help: 'Latency.' },
        ],
      }),
      DEFAULT_INGEST_LIMITS,
      1,
    );
    assert.deepEqual(
      Array.from(
        { length: batch.seriesCount },
        (_, s) => batch.labelsOf(s).find((l) => l.name === 'le')?.value,
      ),
      ['1', '+Inf', undefined],
    );
    assert.deepEqual(batch.metadata.get('lat'), { type: 'histogram', help: 'Latency.', unit: '' });
  });
});
