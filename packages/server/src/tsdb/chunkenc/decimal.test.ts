import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalScale, MAX_SCALE } from './decimal.js';
import { ChunkEncoder } from './encoder.js';
import { ChunkHeader, chunkEncoding, chunkNumSamples, Encoding } from './header.js';
import { ChunkIterator } from './iterator.js';
import { hexBits, randomTimestamps, randomValues, rng, specialValues } from './testkit.js';

const mant = new Float64Array(1024);
const scale = (...vs: number[]) => decimalScale(Float64Array.from(vs), vs.length, mant);

describe('decimal scale detection', () => {
  it('finds the smallest common number of decimal digits', () => {
    assert.equal(scale(1, 2, 3), 0);
    assert.equal(scale(0.5, 2), 1);
    assert.equal(scale(0.01, 1.5, 7), 2);
    assert.equal(scale(123456.789), 3);
    assert.equal(scale(-0.25, 0, 1e6), 2);
    assert.equal(scale(1e-15), 15);
    assert.equal(scale(2 ** 50, -(2 ** 50)), 0);
    assert.equal(scale(), 0);
    assert.deepEqual([...mant.subarray(0, 0)], []);
    scale(0.07, 1.1);
    assert.deepEqual([...mant.subarray(0, 2)], [7, 110]);
  });

  it('refuses values that are not short exact decimals', () => {
    for (const v of specialValues()) {
      if (v === 0 && 1 / v > 0) continue; // +0 is the decimal 0
      assert.equal(scale(1, v), -1, `special ${hexBits(v)}`);
    }
    assert.equal(scale(0.1 + 0.2), -1, '0.30000000000000004 has 17 digits');
    assert.equal(scale(1e-16), -1, `more than ${MAX_SCALE} digits`);
    assert.equal(scale(2 ** 50 + 1), -1, 'mantissa beyond 2^50');
    assert.equal(scale(1.5, 2 ** 50), -1, 'mantissa beyond 2^50 at the common scale');
    assert.equal(scale(Math.PI), -1);
  });

  it('accepts random m / 10^k and reproduces them exactly', () => {
    const r = rng(11);
    for (let i = 0; i < 2000; i++) {
      const k = Math.floor(r() * (MAX_SCALE + 1));
      const digits = Math.floor(r() * 16);
      const m = Math.floor((r() - 0.5) * 10 ** digits);
      const v = m / 10 ** k;
      const got = scale(v);
      if (Math.abs(m) <= 2 ** 50) {
        assert.ok(got >= 0 && got <= k, `${m}e-${k} → ${got}`);
        assert.equal(mant[0]! / 10 ** got, v);
      }
    }
  });
});

describe('choosing an encoding at cut time', () => {
  const enc = new ChunkEncoder();

  it('picks decimal exactly when every value is a short exact decimal, and never a larger chunk', () => {
    const r = rng(21);
    let decimal = 0;
    let xor = 0;
    for (let s = 0; s < 500; s++) {
      const n = 1 + Math.floor(r() * 150);
      const ts = randomTimestamps(r, n);
      const vs = randomValues(r, n);
      const b = enc.encode(ts, vs, n)!;
      const x = enc.encodeXor(ts, vs, n)!;
      const d = enc.encodeDecimal(ts, vs, n);
      const p = enc.encodePackedXor(ts, vs, n)!;
      const fits = decimalScale(vs, n, mant) >= 0;
      assert.equal(d !== null, fits, `series ${s}: decimal only when exact`);
      const want = d !== null && d.length < x.length ? d.length : Math.min(x.length, p.length);
      assert.equal(b.length, want, `series ${s}: smallest`);
      if (chunkEncoding(b) === Encoding.DECIMAL) decimal++;
      else xor++;
      const back = enc.recode(x)!;
      assert.deepEqual([...back], [...b], `series ${s}: recode of the XOR chunk gives the same bytes`);
    }
    assert.ok(decimal > 100 && xor > 100, `both encodings chosen (${decimal} decimal, ${xor} xor)`);
  });

  it('packs jittered timestamps of non-decimal values (packed XOR)', () => {
    const r = rng(12);
    const n = 120;
    const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 10_000 + Math.floor(r() * 8));
    const vs = Float64Array.from(ts, () => r() * 1e3);
    const x = enc.encodeXor(ts, vs, n)!;
    const b = enc.encode(ts, vs, n)!;
    assert.equal(chunkEncoding(b), Encoding.PACKED_XOR);
    assert.ok(
      b.length + n <= x.length,
      `packed ${b.length} B vs XOR ${x.length} B: at least a byte a sample less`,
    );
    const regular = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 10_000);
    assert.ok(enc.encodePackedXor(regular, vs, n)!.length < enc.encodeXor(regular, vs, n)!.length);
  });

  it('falls back to XOR values for a chunk with one stale marker among decimals', () => {
    const ts = [1000, 2000, 3000];
    const vs = Float64Array.of(1.5, specialValues()[0]!, 2.5);
    const b = enc.encode(ts, vs, 3)!;
    assert.notEqual(chunkEncoding(b), Encoding.DECIMAL);
    const it = new ChunkIterator(b);
    it.seek(2000);
    assert.equal(hexBits(it.v()), '7ff0000000000002');
  });

  it('makes decimal counters and gauges several times smaller than XOR', () => {
    const r = rng(8);
    const n = 120;
    const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 10_000);
    let m = 100_000;
    const counter = Float64Array.from(ts, () => {
      m += Math.floor(r() * 300);
      return m / 100;
    });
    const x = enc.encodeXor(ts, counter, n)!;
    const d = enc.encodeDecimal(ts, counter, n)!;
    assert.ok(d.length * 4 < x.length, `0.01-step counter: decimal ${d.length} B, xor ${x.length} B`);
  });

  it('round-trips series at the limits of its range: mantissas ±2^50, 15 digits, gaps of 2^51 ms', () => {
    const r = rng(31);
    const it = new ChunkIterator();
    let decimal = 0;
    for (let s = 0; s < 200; s++) {
      const n = 1 + Math.floor(r() * 130);
      const k = Math.floor(r() * 16);
      const ts: number[] = [];
      let t = -(2 ** 51);
      const vs = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const c = r();
        // Extremes that make deltas 2^51 and delta-of-deltas 2^52, and ordinary steps.
        const m = c < 0.3 ? (r() < 0.5 ? 2 ** 50 : -(2 ** 50)) : Math.floor((r() - 0.5) * 2 ** (r() * 51));
        vs[i] = m / 10 ** k;
        ts.push(t);
        t = Math.min(2 ** 51, t + (r() < 0.1 ? Math.floor(r() * 2 ** 50) : Math.floor(r() * 1e4)));
      }
      const b = enc.encodeDecimal(ts, vs, n) ?? enc.encodeXor(ts, vs, n)!;
      if (chunkEncoding(b) === Encoding.DECIMAL) decimal++;
      it.reset(b);
      let i = 0;
      while (it.next()) {
        assert.equal(it.t(), ts[i], `series ${s} t[${i}]`);
        assert.equal(hexBits(it.v()), hexBits(vs[i]!), `series ${s} v[${i}] (k ${k})`);
        i++;
      }
      assert.equal(it.err(), null);
      assert.equal(i, n);
    }
    assert.ok(decimal > 150, `${decimal} of 200 chunks decimal`);
  });

  it('spends no timestamp bytes on a chunk at a fixed step', () => {
    const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const b = enc.encodeDecimal(
      ts,
      Float64Array.from(ts, () => 7),
      120,
    )!;
    const h = new ChunkHeader();
    assert.ok(h.parse(b));
    assert.equal(b[h.bodyStart], 0, 'timestamp stream length 0');
    assert.ok(b.length - h.bodyStart <= 6, `${b.length - h.bodyStart} body bytes for a constant`);
  });

  it('refuses invalid timestamps without throwing', () => {
    assert.equal(enc.encode([2, 1], Float64Array.of(1, 2), 2), null, 'out of order');
    assert.equal(enc.encode([0.5], Float64Array.of(1), 1), null, 'not an integer');
    assert.equal(enc.encodeDecimal([2 ** 52], Float64Array.of(1), 1), null, 'out of range');
    assert.equal(enc.recode(Uint8Array.of(1)), null, 'truncated chunk');
    assert.equal(enc.recode(Uint8Array.of(9, 1, 0, 0, 0)), null, 'unknown encoding');
  });
});

describe('concatenating chunks', () => {
  const enc = new ChunkEncoder();

  it('stores consecutive chunks as one, smaller chunk with the same samples', () => {
    const r = rng(41);
    const ts = Array.from({ length: 360 }, (_, i) => 1_700_000_000_000 + i * 10_000);
    let m = 0;
    const vs = Float64Array.from(ts, () => {
      m += Math.floor(r() * 100);
      return m / 100;
    });
    const parts = [0, 120, 240].map(
      (o) => enc.encodeXor(ts.slice(o, o + 120), vs.subarray(o, o + 120), 120)!,
    );
    const one = enc.concat(parts)!;
    assert.equal(chunkNumSamples(one), 360);
    const it = new ChunkIterator(one);
    let i = 0;
    while (it.next()) {
      assert.equal(it.t(), ts[i]);
      assert.equal(hexBits(it.v()), hexBits(vs[i]!));
      i++;
    }
    assert.equal(i, 360);
    const separate = parts.reduce((a, p) => a + enc.recode(p)!.length, 0);
    assert.ok(one.length < separate, `${one.length} < ${separate} bytes`);
  });

  it('refuses overlapping, corrupt or too many chunks', () => {
    const a = enc.encode([1, 2, 3], Float64Array.of(1, 2, 3), 3)!;
    const b = enc.encode([2, 5], Float64Array.of(1, 2), 2)!;
    assert.equal(enc.concat([a, b]), null, 'b starts before a ends');
    assert.equal(enc.concat([a, Uint8Array.of(1, 5)]), null, 'corrupt');
    const half = (from: number) =>
      enc.encode(
        Array.from({ length: 40_000 }, (_, i) => from + i),
        new Float64Array(40_000),
        40_000,
      )!;
    assert.equal(enc.concat([half(0), half(40_000)]), null, 'more than 65535 samples');
    assert.equal(chunkNumSamples(enc.concat([])!), 0);
  });
});
