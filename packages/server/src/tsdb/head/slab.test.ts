import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferSlabs, ChunkArena, MAX_SLOT, slotSize } from './slab.js';

describe('open-chunk slabs', () => {
  it('rounds slot sizes up by at most an eighth (and to 16 bytes)', () => {
    for (let n = 1; n < 5000; n += 7) {
      const s = slotSize(n);
      assert.ok(s >= n && s % 16 === 0 && s <= Math.max(16, n * 1.125 + 16), `${n} -> ${s}`);
    }
  });

  it('hands out disjoint slots, and back zeroed ones, reused by size', () => {
    const slabs = new BufferSlabs();
    const a = slabs.alloc(100);
    const b = slabs.alloc(100);
    assert.ok(a.slab !== b.slab || a.start + a.size <= b.start || b.start + b.size <= a.start);
    slabs.slabs[a.slab]!.fill(7, a.start, a.start + a.size);
    slabs.release(a);
    const c = slabs.alloc(100);
    assert.deepEqual(c, a);
    assert.ok(slabs.slabs[c.slab]!.subarray(c.start, c.start + c.size).every((x) => x === 0));
    assert.throws(() => slabs.alloc(MAX_SLOT + 1), /at most 4096/);
  });

  it('starts a new slab when a slot does not fit in the current one', () => {
    const slabs = new BufferSlabs();
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const s = slabs.alloc(MAX_SLOT);
      assert.ok(s.start + s.size <= slabs.slabs[s.slab]!.length);
      seen.add(s.slab);
    }
    assert.equal(seen.size, Math.ceil((100 * MAX_SLOT) / slabs.slabs[0]!.length));
  });

  it('copies cut chunks into shared slabs', () => {
    const arena = new ChunkArena();
    const a = arena.copy(new Uint8Array([1, 2, 3]));
    const b = arena.copy(new Uint8Array([4, 5]));
    assert.equal(a.buffer, b.buffer);
    assert.deepEqual([...a, ...b], [1, 2, 3, 4, 5]);
  });
});
