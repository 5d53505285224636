import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XorAppender } from '../chunkenc/index.js';
import { ChunkSeriesIterator } from './iterator.js';

function chunk(from: number, to: number, v = 0): Uint8Array {
  const a = new XorAppender(64);
  for (let t = from; t <= to; t++) a.append(t, t + v);
  return a.bytes().slice();
}

function read(chunks: Uint8Array[], qmin: number, qmax: number): number[][] {
  const it = new ChunkSeriesIterator().reset(chunks, qmin, qmax);
  const out: number[][] = [];
  while (it.next()) out.push([it.t(), it.v()]);
  assert.equal(it.err(), null);
  return out;
}

describe('chunk series iterator', () => {
  it('reads chunks in order, out of order and overlapping alike', () => {
    const a = chunk(0, 9);
    const b = chunk(10, 19);
    const c = chunk(20, 29);
    const all = Array.from({ length: 30 }, (_, t) => [t, t]);
    assert.deepEqual(read([a, b, c], 0, 100), all);
    assert.deepEqual(read([c, a, b], 0, 100), all);
    assert.deepEqual(read([a, new XorAppender(64).bytes().slice(), b, c], 0, 100), all);
    assert.deepEqual(read([a, b, c], 5, 24), all.slice(5, 25));
    // Overlap: the earlier chunk in the list wins on equal timestamps.
    const mixed = all.map(([t]) => [t!, t! >= 10 && t! <= 14 ? t! + 100 : t!]);
    assert.deepEqual(read([a, chunk(5, 14, 100), b, c], 0, 100), mixed);
    assert.deepEqual(
      read([chunk(5, 14, 100), a, b, c], 0, 100).slice(5, 15),
      all.slice(5, 15).map(([t]) => [t!, t! + 100]),
    );
  });

  it('is reusable across resets, fast path and merge path in turn', () => {
    const it = new ChunkSeriesIterator();
    for (const chunks of [[chunk(0, 4), chunk(5, 9)], [chunk(5, 9), chunk(0, 6, 1)], [chunk(0, 9)]]) {
      it.reset(chunks, 0, 100);
      let n = 0;
      while (it.next()) n++;
      assert.equal(n, 10);
    }
  });
});
