import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { labelsHash, ratioSampled, xxhash64 } from './aggregate_ratio.js';

test('xxhash64 gives the published XXH64 values (seed 0), short and long inputs', () => {
  const enc = new TextEncoder();
  const cases: [string, string][] = [
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['as', '1c330fb2d66be179'],
    ['asd', '631c37ce72a97393'],
    ['asdf', '415872f599cea71e'],
    ['Call me Ishmael. Some years ago--never mind how long precisely-', '02a2e85470d6fd96'],
  ];
  for (const [s, hex] of cases) assert.equal(xxhash64(enc.encode(s)).toString(16).padStart(16, '0'), hex, s);
});

test('the label hash is XXH64 of name 0xff value 0xff over the sorted labels', () => {
  const ls = labelsFromRecord({ __name__: 'up', job: 'ü' });
  const bytes = [...Buffer.from('__name__'), 0xff, ...Buffer.from('up'), 0xff, ...Buffer.from('job'), 0xff];
  const want = xxhash64(Uint8Array.from([...bytes, ...Buffer.from('ü'), 0xff]));
  assert.equal(labelsHash(ls), want);
});

test('limit_ratio(r) and limit_ratio(r - 1) split the series into complements', () => {
  const series = Array.from({ length: 200 }, (_, i) => labelsFromRecord({ __name__: 'm', i: String(i) }));
  for (const r of [0, 0.1, 0.5, 0.9, 1]) {
    const kept = series.filter((ls) => ratioSampled(r, ls));
    const rest = series.filter((ls) => ratioSampled(r - 1, ls));
    assert.equal(kept.length + rest.length, series.length, `r=${r}`);
    assert.ok(
      kept.every((ls) => !rest.includes(ls)),
      `r=${r}`,
    );
  }
  assert.equal(series.filter((ls) => ratioSampled(1, ls)).length, 200);
  const half = series.filter((ls) => ratioSampled(0.5, ls)).length;
  assert.ok(half > 60 && half < 140, `a hash spreads the series: ${half} of 200 below 0.5`);
});
