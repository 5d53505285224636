import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkEncoder } from './encoder.js';
import { chunkMaxTime, chunkMinTime, chunkNumSamples, Encoding, MAX_SAMPLES } from './header.js';
import { ChunkIterator } from './iterator.js';
import { randomTimestamps, randomValues, rng } from './testkit.js';

describe('chunk iterator', () => {
  it('iterates many chunks with one iterator, each from its start', () => {
    const enc = new ChunkEncoder();
    const a = enc.encode([1, 2, 3], Float64Array.of(1, 2, 3), 3)!;
    const b = enc.encode([10, 20], Float64Array.of(0.5, Number.NaN), 2)!;
    const it = new ChunkIterator();
    const seen: number[] = [];
    for (const c of [a, b, a]) {
      it.reset(c);
      while (it.next()) seen.push(it.t());
    }
    assert.deepEqual(seen, [1, 2, 3, 10, 20, 1, 2, 3]);
    assert.equal(it.count, 3);
    assert.equal(it.minTime, 1);
    assert.equal(it.maxTime, 3);
  });

  it('is empty with an error on malformed headers, and never throws', () => {
    const it = new ChunkIterator();
    for (const bad of [
      new Uint8Array(0),
      Uint8Array.of(1),
      Uint8Array.of(7, 1, 0, 0, 0),
      Uint8Array.of(1, 0xff, 0xff, 0xff, 0x7f, 0, 0),
    ]) {
      it.reset(bad);
      assert.equal(it.next(), false);
      assert.equal(it.seek(0), false);
      assert.ok(it.err() instanceof Error, `error for ${[...bad]}`);
      assert.equal(chunkNumSamples(bad), 0);
      assert.ok(Number.isNaN(chunkMinTime(bad)) && Number.isNaN(chunkMaxTime(bad)));
    }
    it.reset(Uint8Array.of(1, 0xff, 0xff, 0x04, 0, 0, 0));
    assert.match(String(it.err()), /cannot read chunk/, `a count above ${MAX_SAMPLES} is corrupt`);
  });

  it('survives 20 000 random byte strings behind valid headers (fuzz)', () => {
    const r = rng(1234);
    const enc = new ChunkEncoder();
    const it = new ChunkIterator();
    let samples = 0;
    for (let i = 0; i < 20_000; i++) {
      let b: Uint8Array;
      if (i % 2 === 0) {
        // A real chunk with its body replaced by noise from a random point on.
        const n = 1 + Math.floor(r() * 130);
        b = enc.encode(randomTimestamps(r, n), randomValues(r, n), n)!.slice();
        for (let j = 4 + Math.floor(r() * (b.length - 4)); j < b.length; j++) b[j] = Math.floor(r() * 256);
      } else {
        b = Uint8Array.from({ length: 4 + Math.floor(r() * 64) }, () => Math.floor(r() * 256));
        b[0] = r() < 0.5 ? Encoding.XOR : Encoding.DECIMAL;
      }
      it.reset(b);
      let k = 0;
      while (it.next()) {
        k++;
        assert.equal(typeof it.v(), 'number');
      }
      assert.ok(k <= MAX_SAMPLES);
      samples += k;
    }
    assert.ok(samples > 0);
  });
});
