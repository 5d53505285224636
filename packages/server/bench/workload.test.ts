import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateWorkload } from './workload.js';

describe('benchmark workload', () => {
  it('has 10 metric names × label sets, with sorted unique labels', () => {
    const w = generateWorkload({ series: 2000, samplesPerSeries: 3 });
    assert.equal(w.series.length, 2000);
    assert.equal(w.totalSamples, 6000);
    assert.equal(new Set(w.series.map((s) => s.metric)).size, 10);
    const keys = new Set(w.series.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(',')));
    assert.equal(keys.size, 2000, 'every series has its own label set');
    for (const s of w.series) {
      const names = s.labels.map((l) => l.name);
      assert.deepEqual(names, [...names].sort());
      assert.deepEqual(names, ['__name__', 'endpoint', 'instance', 'service', 'status']);
    }
  });

  it('is deterministic per seed and differs between seeds', () => {
    const a = generateWorkload({ series: 50, seed: 7 });
    const b = generateWorkload({ series: 50, seed: 7 });
    const c = generateWorkload({ series: 50, seed: 8 });
    assert.deepEqual([...a.values(13)], [...b.values(13)]);
    assert.deepEqual([...a.timestamps(13)], [...b.timestamps(13)]);
    assert.notDeepEqual([...a.values(13)], [...c.values(13)]);
  });

  it('yields batches in time order that agree with the per-series arrays', () => {
    const w = generateWorkload({ series: 300, samplesPerSeries: 20, stepMs: 10_000 });
    const seen = w.series.map(() => [] as [number, number][]);
    let last = Number.NEGATIVE_INFINITY;
    let batches = 0;
    for (const b of w.batches(1000)) {
      batches++;
      assert.ok(b.length <= 1000);
      for (let i = 0; i < b.length; i++) {
        assert.ok(b.ts[i]! >= last, 'time order');
        last = b.ts[i]!;
        seen[b.series[i]!]!.push([b.ts[i]!, b.vs[i]!]);
      }
    }
    assert.equal(batches, 6);
    for (let s = 0; s < 300; s++) {
      const ts = w.timestamps(s);
      const vs = w.values(s);
      assert.deepEqual(
        seen[s],
        [...ts].map((t, i) => [t, vs[i]]),
      );
    }
  });

  it('makes counters monotonic and values short decimals', () => {
    const w = generateWorkload({ series: 1000 });
    for (const s of w.series) {
      const vs = w.values(s.index);
      for (let i = 0; i < vs.length; i++) {
        const v = vs[i]!;
        assert.equal(Math.round(v * 100) / 100, v, `${s.metric}: at most 2 decimals`);
        if (s.type === 'counter' && i > 0) assert.ok(v >= vs[i - 1]!, `${s.metric} is monotonic`);
      }
    }
  });
});
