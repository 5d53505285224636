// The conformance suite every chunk encoding passes: the same cases, one describe per codec.
// A codec that cannot hold some values (decimal) must refuse them (return null), never lose bits.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalScale } from './decimal.js';
import { ChunkEncoder } from './encoder.js';
import { chunkEncoding, chunkMaxTime, chunkMinTime, chunkNumSamples, Encoding } from './header.js';
import { ChunkIterator } from './iterator.js';
import { hexBits, randomTimestamps, randomValues, rng, specialValues } from './testkit.js';
import { XorAppender } from './xor.js';

interface Codec {
  name: string;
  /** The chunk, or null when the codec cannot hold these values. */
  encode(ts: ArrayLike<number>, vs: Float64Array): Uint8Array | null;
  /** Whether the codec must accept these values. */
  accepts(vs: Float64Array): boolean;
  /** The encoding id its chunks carry, if fixed. */
  id?: number;
}

const enc = new ChunkEncoder();
const scratch = new Float64Array(1 << 16);
const isDecimal = (vs: Float64Array) => decimalScale(vs, vs.length, scratch) >= 0;

const codecs: Codec[] = [
  {
    name: 'xor (streaming appender)',
    id: Encoding.XOR,
    accepts: () => true,
    encode(ts, vs) {
      const a = new XorAppender(8);
      for (let i = 0; i < vs.length; i++) assert.ok(a.append(ts[i]!, vs[i]!), `append ${i}`);
      return a.bytes().slice();
    },
  },
  {
    name: 'xor (cut-time encoder)',
    id: Encoding.XOR,
    accepts: () => true,
    encode: (ts, vs) => enc.encodeXor(ts, vs, vs.length),
  },
  {
    name: 'decimal',
    id: Encoding.DECIMAL,
    accepts: isDecimal,
    encode: (ts, vs) => enc.encodeDecimal(ts, vs, vs.length),
  },
  {
    name: 'packed xor',
    id: Encoding.PACKED_XOR,
    accepts: () => true,
    encode: (ts, vs) => enc.encodePackedXor(ts, vs, vs.length),
  },
  {
    name: 'auto (smallest of all)',
    accepts: () => true,
    encode: (ts, vs) => enc.encode(ts, vs, vs.length),
  },
  {
    name: 'auto via recode of an xor chunk',
    accepts: () => true,
    encode(ts, vs) {
      const x = enc.encodeXor(ts, vs, vs.length);
      return x === null ? null : enc.recode(x);
    },
  },
];

function decodeAll(b: Uint8Array, it = new ChunkIterator()): { ts: number[]; vs: Float64Array } {
  it.reset(b);
  const ts: number[] = [];
  const vs = new Float64Array(it.count);
  while (it.next()) {
    vs[ts.length] = it.v();
    ts.push(it.t());
  }
  assert.equal(it.err(), null);
  return { ts, vs };
}

function hexAll(vs: Float64Array): string[] {
  return Array.from(vs, hexBits);
}

/** Encodes with `c`; asserts refusal when the codec does not accept, else an exact round trip. */
function roundTrip(c: Codec, ts: number[], vs: Float64Array, label = ''): Uint8Array | null {
  const b = c.encode(ts, vs);
  if (!c.accepts(vs)) {
    assert.equal(b, null, `${label}: ${c.name} must refuse values it cannot hold`);
    return null;
  }
  assert.ok(b !== null, `${label}: ${c.name} refused`);
  if (c.id !== undefined) assert.equal(chunkEncoding(b), c.id);
  assert.equal(chunkNumSamples(b), ts.length, `${label}: count`);
  if (ts.length > 0) {
    assert.equal(chunkMinTime(b), ts[0], `${label}: min time`);
    assert.equal(chunkMaxTime(b), ts[ts.length - 1], `${label}: max time`);
  }
  const got = decodeAll(b);
  assert.deepEqual(got.ts, ts, `${label}: timestamps`);
  assert.deepEqual(hexAll(got.vs), hexAll(vs), `${label}: value bits`);
  return b;
}

const T0 = 1_700_000_000_000;
const regular = (n: number, step = 10_000) => Array.from({ length: n }, (_, i) => T0 + i * step);

for (const c of codecs) {
  describe(`chunk encoding conformance: ${c.name}`, () => {
    it('round-trips an empty chunk', () => {
      roundTrip(c, [], new Float64Array(0));
    });

    it('round-trips a single sample', () => {
      roundTrip(c, [T0], Float64Array.of(42));
      roundTrip(c, [-5], Float64Array.of(0.25));
    });

    it('round-trips two samples and a steady 120-sample counter', () => {
      roundTrip(c, [T0, T0 + 15_000], Float64Array.of(1, 2));
      roundTrip(
        c,
        regular(120),
        Float64Array.from(regular(120), (_, i) => i * 3),
      );
    });

    it('round-trips decimal series: 0.01-step counters, 2-decimal gauges, negatives, large integers', () => {
      const r = rng(1);
      let v = 0;
      roundTrip(
        c,
        regular(120),
        Float64Array.from(regular(120), () => (v += Math.floor(r() * 500) / 100)),
      );
      roundTrip(
        c,
        regular(120),
        Float64Array.from(regular(120), () => Math.round((r() - 0.5) * 1e6) / 100),
      );
      roundTrip(c, regular(3), Float64Array.of(2 ** 50, -(2 ** 50), 0));
      roundTrip(c, regular(3), Float64Array.of(0.1, 0.123456789012345, 1e-15));
    });

    it('keeps every special float bit for bit: stale marker, NaN payloads, ±Inf, -0, subnormals', () => {
      const sp = specialValues();
      roundTrip(c, regular(sp.length), sp);
      // Each special alone and between ordinary values, since the XOR window state differs.
      for (let i = 0; i < sp.length; i++) {
        roundTrip(c, regular(1), Float64Array.of(sp[i]!), `alone #${i}`);
        roundTrip(c, regular(3), Float64Array.of(1.5, sp[i]!, 1.5), `between #${i}`);
      }
    });

    it('round-trips irregular timestamps: gaps of 2^40 ms, equal timestamps, negative times', () => {
      const ts = [-(2 ** 45), -(2 ** 45), -1000, 0, 0, 1, 2 ** 40, 2 ** 40 + 1, 2 ** 41, 2 ** 41 + 7];
      roundTrip(
        c,
        ts,
        Float64Array.from(ts, (_, i) => i),
      );
    });

    it('round-trips 300 random series exactly (seeded)', () => {
      const r = rng(0xc0ffee);
      for (let s = 0; s < 300; s++) {
        const n = 1 + Math.floor(r() * (r() < 0.1 ? 1000 : 130));
        roundTrip(c, randomTimestamps(r, n), randomValues(r, n), `series ${s}`);
      }
    });

    it('seeks to the first sample >= t and never backwards', () => {
      const ts = [100, 200, 200, 300, 400];
      const vs = Float64Array.of(1, 2, 3, 4, 5);
      const b = c.encode(ts, vs)!;
      const it = new ChunkIterator(b);
      assert.equal(it.seek(50), true, 'seek before the first sample');
      assert.deepEqual([it.t(), it.v()], [100, 1]);
      assert.equal(it.seek(150), true, 'seek between samples');
      assert.deepEqual([it.t(), it.v()], [200, 2]);
      assert.equal(it.seek(200), true, 'seek to the current timestamp stays');
      assert.deepEqual([it.t(), it.v()], [200, 2]);
      assert.equal(it.seek(0), true, 'seek backwards stays');
      assert.deepEqual([it.t(), it.v()], [200, 2]);
      assert.equal(it.next(), true, 'next after seek');
      assert.deepEqual([it.t(), it.v()], [200, 3]);
      assert.equal(it.seek(400), true, 'seek to the last sample');
      assert.deepEqual([it.t(), it.v()], [400, 5]);
      assert.equal(it.seek(401), false, 'seek past the end');
      assert.equal(it.next(), false, 'exhausted after a failed seek');
      assert.equal(it.seek(0), false, 'stays exhausted');
      it.reset(b);
      assert.equal(it.seek(1000), false, 'seek past the end from the start');
      it.reset(b);
      assert.equal(it.next(), true);
      assert.equal(it.seek(300), true, 'seek after next');
      assert.deepEqual([it.t(), it.v()], [300, 4]);
    });

    it('seek agrees with a linear scan on random series and targets', () => {
      const r = rng(7);
      const it = new ChunkIterator();
      for (let s = 0; s < 100; s++) {
        const n = 1 + Math.floor(r() * 120);
        const ts = randomTimestamps(r, n);
        const vs = Float64Array.from(ts, (_, i) => i);
        const b = c.encode(ts, vs)!;
        it.reset(b);
        let target = ts[0]! - 10;
        let cur = -1;
        while (true) {
          target += Math.floor(r() * (ts[n - 1]! - ts[0]! + 20) * 0.3);
          // Reference: first index > cur-1 with ts >= target, not before the current position.
          let want = Math.max(cur, 0);
          if (cur < 0 || ts[cur]! < target) {
            want = cur + 1;
            while (want < n && ts[want]! < target) want++;
          }
          const ok = it.seek(target);
          assert.equal(ok, want < n, `series ${s} seek ${target}`);
          if (!ok) break;
          assert.deepEqual([it.t(), it.v()], [ts[want], want], `series ${s} seek ${target}`);
          cur = want;
        }
      }
    });

    it('never throws on truncated or corrupted bytes and reports an error or ends', () => {
      const r = rng(99);
      const it = new ChunkIterator();
      let errors = 0;
      for (let s = 0; s < 200; s++) {
        const n = 1 + Math.floor(r() * 120);
        const ts = randomTimestamps(r, n);
        const vs = randomValues(r, n);
        const b = c.encode(ts, vs);
        if (b === null) continue;
        const bad = b.slice(0, Math.floor(r() * b.length));
        if (r() < 0.5 && bad.length > 0) bad[Math.floor(r() * bad.length)]! ^= 1 << Math.floor(r() * 8);
        it.reset(bad);
        let k = 0;
        while (it.next()) k++;
        assert.ok(k <= 65535);
        if (it.err() !== null) errors++;
      }
      assert.ok(errors > 0, 'some corruptions are detected');
    });
  });
}
