import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { OpenChunks } from './open_chunks.js';
import { MemSeries } from './series.js';
import { labelsHash, SeriesMap } from './series_map.js';

describe('series map', () => {
  it('tells apart label sets whose hashes collide', () => {
    // Found by search: two values with the same FNV-1a hash.
    const a = labelsFromRecord({ a: 'v9rnw' });
    const b = labelsFromRecord({ a: 'vapba' });
    assert.equal(labelsHash(a), labelsHash(b));
    const m = new SeriesMap();
    const open = new OpenChunks();
    const sa = new MemSeries(1, a, open);
    m.add(sa);
    assert.equal(m.get(b), undefined);
    const sb = new MemSeries(2, b, open);
    m.add(sb);
    assert.equal(m.get(a), sa);
    assert.equal(m.get(b), sb);
    assert.equal(m.get(labelsFromRecord({ a: 'other' })), undefined);
  });
});
