import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XorAppender } from '../chunkenc/index.js';
import { CHUNK_SAMPLES, MemSeries } from './series.js';
import { BufferSlabs, ChunkArena, slotSize } from './slab.js';

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

describe('open-chunk slabs', () => {
  it('rounds slot sizes up by at most an eighth (and to 16 bytes)', () => {
    for (let n = 1; n < 5000; n += 7) {
      const s = slotSize(n);
      assert.ok(s >= n && s % 16 === 0 && s <= Math.max(16, n * 1.125 + 16), `${n} -> ${s}`);
    }
  });

  it('hands back zeroed slots, reused by size', () => {
    const slabs = new BufferSlabs();
    const a = slabs.alloc(100);
    a.fill(7);
    slabs.release(a);
    const b = slabs.alloc(100);
    assert.equal(b, a);
    assert.ok(b.every((x) => x === 0));
    assert.equal(slabs.owns(slabs.alloc(10_000)), false);
    assert.equal(slabs.owns(new ChunkArena().copy(new Uint8Array(8))), false);
  });

  it('a chunk moved between buffers mid-way has the same bytes as one that was not', () => {
    const moved = new XorAppender(32);
    const plain = new XorAppender(32);
    const slabs = new BufferSlabs();
    for (let i = 0; i < 120; i++) {
      const v = i % 17 === 0 ? STALE : Math.sin(i) * 1e3;
      moved.append(1_700_000_000_000 + i * 10_000 + (i % 3), v);
      plain.append(1_700_000_000_000 + i * 10_000 + (i % 3), v);
      if (i % 20 === 5) moved.moveTo(slabs.alloc(moved.buffer.length * 2));
    }
    assert.deepEqual(moved.bytes(), plain.bytes());
  });

  it('keeps a series readable across cuts and slot moves, stale markers included', () => {
    const s = new MemSeries(1, []);
    const n = CHUNK_SAMPLES * 3 + 7;
    const bits = new Float64Array(1);
    for (let i = 0; i < n; i++) s.appendInOrder(i * 1000, i % 50 === 0 ? STALE : i * 1.5);
    for (let i = 0; i < n; i++) {
      const v = s.valueAt(i * 1000);
      // Through a typed array: a JS array literal would quiet the signalling NaN itself.
      bits[0] = v!;
      if (i % 50 === 0) assert.equal(new BigUint64Array(bits.buffer)[0], 0x7ff0000000000002n);
      else assert.equal(v, i * 1.5);
    }
  });

  it('copies cut chunks into shared slabs', () => {
    const arena = new ChunkArena();
    const a = arena.copy(new Uint8Array([1, 2, 3]));
    const b = arena.copy(new Uint8Array([4, 5]));
    assert.equal(a.buffer, b.buffer);
    assert.deepEqual([...a, ...b], [1, 2, 3, 4, 5]);
  });
});
