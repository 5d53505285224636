import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBatches } from '../src/encode.js';
import { parseRetryAfter } from '../src/transport.js';
import type { MetricPoint } from '../src/types.js';

const point = (i: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({
  name: `m${i % 3}`,
  type: 'counter',
  value: i,
  labels: { service: 's', id: String(i) },
  timestamp: Date.UTC(2025, 10, 18, 12, 34, 56, 123),
  ...extra,
});

describe('encodeBatches', () => {
  it('keeps every point, in order, under the point and byte limits', () => {
    const points = Array.from({ length: 1000 }, (_, i) => point(i));
    const batches = encodeBatches(points, 64, 4_000);
    const decoded = batches.flatMap((b) => (JSON.parse(b.json) as { metrics: { value: number }[] }).metrics);
    assert.deepEqual(
      decoded.map((p) => p.value),
      points.map((p) => p.value),
    );
    for (const b of batches) {
      assert.ok(b.points <= 64);
      assert.ok(b.json.length <= 4_000 + 100, `${b.json.length} bytes`);
      assert.equal((JSON.parse(b.json) as { metrics: unknown[] }).metrics.length, b.points);
    }
  });

  it('writes the original wire format with RFC 3339 timestamps, marked as cumulative', () => {
    const [b] = encodeBatches([point(1)], 10, 1_000_000);
    assert.deepEqual(JSON.parse(b!.json), {
      // Tells the server its histograms are cumulative (the Go SDK's are per-flush deltas).
      temporality: 'cumulative',
      metrics: [
        {
          name: 'm1',
          type: 'counter',
          value: 1,
          labels: { service: 's', id: '1' },
          timestamp: '2025-11-18T12:34:56.123Z',
        },
      ],
    });
  });

  it('sends help and unit once per metric per request, and skips non-finite values', () => {
    const points = [
      point(0, { help: 'h', unit: 'seconds' }),
      point(3, { help: 'h', unit: 'seconds' }),
      point(6, { value: Number.NaN }),
    ];
    const [b] = encodeBatches(points, 10, 1_000_000);
    const metrics = (JSON.parse(b!.json) as { metrics: { help?: string; unit?: string }[] }).metrics;
    assert.equal(metrics.length, 2);
    assert.equal(metrics[0]?.help, 'h');
    assert.equal(metrics[0]?.unit, 'seconds');
    assert.equal(metrics[1]?.help, undefined);
  });

  it('returns no batch for no points', () => {
    assert.deepEqual(encodeBatches([], 10, 1000), []);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates, and ignores garbage', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(['2']), 2000);
    const now = Date.parse('2025-11-18T12:00:00Z');
    assert.equal(parseRetryAfter('Tue, 18 Nov 2025 12:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Tue, 18 Nov 2025 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
