import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkMaxTime, chunkMinTime, chunkNumSamples, MAX_ABS_TIME, MAX_SAMPLES } from './header.js';
import { ChunkIterator } from './iterator.js';
import { hexBits, rng } from './testkit.js';
import { XorAppender } from './xor.js';

function samples(b: Uint8Array): [number, string][] {
  const it = new ChunkIterator(b);
  const out: [number, string][] = [];
  while (it.next()) out.push([it.t(), hexBits(it.v())]);
  assert.equal(it.err(), null);
  return out;
}

describe('XOR chunk', () => {
  it('lays out header and body bits as FORMAT.md says (Prometheus xor.go body)', () => {
    const a = new XorAppender();
    a.append(1000, 1);
    a.append(2000, 1);
    a.append(3000, 2);
    // prettier-ignore
    const want = [
      1,
      3,
      0xd0,
      0x0f,
      0xd0,
      0x0f, // id, count, zig-zag min time 1000, span 2000
      0x3f,
      0xf0,
      0,
      0,
      0,
      0,
      0,
      0, // first value 1.0, 64 bits
      0xd0,
      0x0f, // second timestamp: zig-zag varint delta 1000
      // value equal '0'; dod 0 '0'; value XOR 0x7ff0…: '11' lead 00001 len 001011 11111111111
      0b0011_0000,
      0b1001_0111,
      0b1111_1111,
      0b1100_0000,
    ];
    assert.deepEqual([...a.bytes()], want);
  });

  it('round-trips delta-of-deltas at every bucket boundary', () => {
    const dods = [
      0,
      1,
      -1,
      8191,
      8192,
      -8191,
      -8192,
      8193,
      65535,
      65536,
      -65535,
      -65536,
      65537,
      524287,
      524288,
      -524287,
      -524288,
      524289,
      2 ** 31,
      -(2 ** 31),
      2 ** 40,
      -(2 ** 40),
    ];
    for (const dod of dods) {
      const delta = 2 ** 41;
      const ts = [0, delta, 2 * delta + dod, 3 * delta + dod];
      const a = new XorAppender();
      for (const t of ts) assert.ok(a.append(t, 1), `append dod ${dod}`);
      assert.deepEqual(
        samples(a.bytes()).map(([t]) => t),
        ts,
        `dod ${dod}`,
      );
    }
  });

  it('reads every prefix while appending: bytes() is always a complete chunk', () => {
    const r = rng(5);
    const a = new XorAppender(1);
    const want: [number, string][] = [];
    let t = 1_700_000_000_000;
    for (let i = 0; i < 300; i++) {
      t += Math.floor(r() * 20_000);
      const v = r() < 0.5 ? Math.floor(r() * 100) : r() * 1e6;
      assert.ok(a.append(t, v));
      want.push([t, hexBits(v)]);
      const b = a.bytes();
      assert.equal(chunkNumSamples(b), i + 1);
      assert.equal(chunkMinTime(b), want[0]![0]);
      assert.equal(chunkMaxTime(b), t);
      assert.deepEqual(samples(b), want);
    }
    assert.equal(a.count, 300);
  });

  it('refuses samples it cannot store, leaving the chunk unchanged', () => {
    const a = new XorAppender();
    assert.ok(a.append(1000, 1));
    assert.ok(a.append(2000, 2));
    const before = a.bytes().slice();
    assert.equal(a.append(1999, 3), false, 'older than the last sample');
    assert.equal(a.append(2000.5, 3), false, 'not an integer');
    assert.equal(a.append(Number.NaN, 3), false, 'NaN timestamp');
    assert.equal(a.append(MAX_ABS_TIME + 2, 3), false, 'beyond the exact range');
    assert.equal(a.count, 2);
    assert.deepEqual([...a.bytes()], [...before]);
    assert.ok(a.append(2000, 4), 'an equal timestamp is stored (the head decides about duplicates)');
    assert.ok(new XorAppender().append(-MAX_ABS_TIME, 1), 'the most negative time');
  });

  it(`holds at most ${MAX_SAMPLES} samples`, () => {
    const a = new XorAppender();
    for (let i = 0; i < MAX_SAMPLES; i++) assert.ok(a.append(i, i & 7));
    assert.equal(a.append(MAX_SAMPLES, 0), false);
    assert.equal(chunkNumSamples(a.bytes()), MAX_SAMPLES);
  });

  it('starts over after reset, reusing its buffer', () => {
    const a = new XorAppender();
    for (let i = 0; i < 200; i++) a.append(i * 10, Math.random());
    a.reset();
    assert.equal(a.count, 0);
    a.append(5, 0.5);
    a.append(6, 0.25);
    assert.deepEqual(samples(a.bytes()), [
      [5, hexBits(0.5)],
      [6, hexBits(0.25)],
    ]);
  });
});
