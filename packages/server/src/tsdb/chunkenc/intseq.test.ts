import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitReader, BitWriter } from './bitstream.js';
import { IntSeqScratch, writeIntSeq } from './intseq.js';
import { IntSeqDecoder } from './intseq_decoder.js';
import { rng } from './testkit.js';

const scratch = new IntSeqScratch();

/** Writes `xs`, reads them back, and returns the 5-bit mode chosen and the size in bits. */
function roundTrip(xs: number[], firstKnown = false, bothKnown = false): { mode: number; bits: number } {
  const w = new BitWriter(8);
  writeIntSeq(w, xs, xs.length, firstKnown, bothKnown, scratch);
  const r = new BitReader();
  r.reset(w.buf, 0, w.end);
  const d = new IntSeqDecoder();
  const n = xs.length;
  d.reset(r, n, firstKnown || bothKnown, xs[0] ?? 0, bothKnown ? (xs[n - 1] ?? 0) : Number.NaN);
  const got = xs.map(() => d.next());
  assert.equal(d.bad, false);
  assert.equal(r.overrun, false);
  assert.deepEqual(got, xs);
  return { mode: w.buf[0]! >>> 3, bits: w.bitLength };
}

// Mode: order (0 raw, 1 delta, 2 delta-of-delta, 3 grid, 4 delta minus mean) | Rice << 3 | gcd << 4.
const RICE = 8;
const GCD = 16;

describe('packed integer sequences', () => {
  it('store a fixed step in the 5 mode bits when both ends are known', () => {
    const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 10_000);
    assert.deepEqual(roundTrip(ts, true, true), { mode: 3 | GCD, bits: 5 });
  });

  it('code jittered timestamps as residuals from the grid', () => {
    const r = rng(1);
    const ts = Array.from(
      { length: 120 },
      (_, i) => 1_700_000_000_000 + i * 10_000 + Math.round((r() - 0.5) * 10),
    );
    const { mode, bits } = roundTrip(ts, true, true);
    assert.equal(mode & 7, 3);
    assert.ok(bits < 120 * 5, `${bits} bits for ±5 ms of jitter`);
  });

  it('code a steady counter as zero delta-of-deltas', () => {
    const xs = Array.from({ length: 120 }, (_, i) => 5000 + i * 37);
    const { mode, bits } = roundTrip(xs);
    assert.equal(mode, 2);
    assert.ok(bits < 64, `${bits} bits`);
  });

  it('code a counter with a noisy rate as deltas minus their mean', () => {
    const r = rng(6);
    let x = 1e6;
    const xs = Array.from({ length: 120 }, () => {
      x += 500 + Math.round((r() - 0.5) * 60);
      return x;
    });
    const { mode, bits } = roundTrip(xs);
    assert.equal(mode & 7, 4);
    assert.ok(bits < 120 * 7, `${bits} bits`);
  });

  it('Rice-code a random walk, and an outlier (a counter reset) costs only its own bits', () => {
    const r = rng(2);
    let x = 1e6;
    const xs = Array.from({ length: 120 }, () => {
      x += Math.round((r() - 0.5) * 40);
      return x;
    });
    const calm = roundTrip(xs);
    assert.equal(calm.mode, 1 | RICE);
    xs[60] = 0;
    for (let i = 61; i < 120; i++) xs[i] = xs[i - 1]! + Math.round((r() - 0.5) * 40);
    const reset = roundTrip(xs);
    assert.ok(reset.bits < calm.bits + 200, `${reset.bits} vs ${calm.bits} bits`);
  });

  it('bit-pack uniform residuals at one width', () => {
    const r = rng(3);
    const xs = Array.from({ length: 120 }, () => Math.floor(r() * 1024) - 512);
    const { mode, bits } = roundTrip(xs);
    assert.equal(mode, 0);
    assert.equal(bits, 5 + 6 + 120 * 10);
  });

  it('divide out a common factor of the deltas (memory in 4 KiB pages)', () => {
    const r = rng(4);
    let pages = 50_000;
    const xs = Array.from({ length: 120 }, () => {
      pages += Math.round((r() - 0.5) * 100);
      return pages * 4096;
    });
    const { mode, bits } = roundTrip(xs);
    assert.equal(mode & GCD, GCD);
    assert.ok(bits < 120 * 8, `${bits} bits`);
  });

  it('round-trip random sequences over the whole exact range', () => {
    const r = rng(5);
    for (let s = 0; s < 500; s++) {
      const n = Math.floor(r() * 140);
      const mag = 2 ** Math.floor(r() * 51);
      const walk = r() < 0.5;
      let x = Math.floor((r() - 0.5) * mag);
      const xs = Array.from({ length: n }, () => {
        if (!walk) return Math.floor((r() - 0.5) * mag);
        x += Math.floor((r() - 0.5) * 2 ** (r() * 20));
        return x;
      });
      if (walk) for (let i = 0; i < n; i++) xs[i] = Math.max(-(2 ** 50), Math.min(2 ** 50, xs[i]!));
      const sorted = [...xs].sort((a, b) => a - b);
      roundTrip(xs);
      roundTrip(sorted, true);
      roundTrip(sorted, true, true);
    }
  });
});
