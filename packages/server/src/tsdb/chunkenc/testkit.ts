/**
 * Test and fuzz helpers: a seeded PRNG and random series that stress the encodings. Not used at
 * run time.
 */

import { MAX_ABS_TIME } from './header.js';

/** The shared seeded PRNG, uniform in [0, 1). */
export { mulberry32 as rng } from '../../../test/support/prng.js';

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The float64 with the given bits (hi, lo halves). */
export function floatOf(hi: number, lo: number): number {
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  u32[le ? 1 : 0] = hi;
  u32[le ? 0 : 1] = lo;
  return f64[0]!;
}

/** The bits of `v` as a 16-digit hex string, for exact comparison and readable failures. */
export function hexBits(v: number): string {
  f64[0] = v;
  const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const hi = u32[le ? 1 : 0]!;
  const lo = u32[le ? 0 : 1]!;
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/**
 * Values that stress bit-exactness: NaN payloads, the stale marker, ±Inf, ±0, subnormals, extremes.
 * A Float64Array, because V8 may canonicalize NaNs stored in plain arrays.
 */
export function specialValues(): Float64Array {
  return Float64Array.of(
    floatOf(0x7ff00000, 2), // Prometheus stale marker
    Number.NaN,
    floatOf(0x7ff80000, 0xdeadbeef), // quiet NaN with payload
    floatOf(0xfff00000, 1), // negative signalling NaN
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0,
    -0,
    Number.MIN_VALUE, // smallest subnormal
    floatOf(0x000fffff, 0xffffffff), // largest subnormal
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.EPSILON,
    2 ** 53,
    -(2 ** 53) - 2,
    1e-300,
    0.1 + 0.2,
  );
}

/** Random timestamps: regular, jittered, equal, large gaps, negative; always non-decreasing. */
export function randomTimestamps(r: () => number, n: number): number[] {
  const ts: number[] = [];
  const kind = Math.floor(r() * 6);
  let t =
    kind === 5
      ? Math.floor(-r() * 1e13) // negative epoch-relative times
      : Math.floor(r() * 2e12);
  if (r() < 0.05) t = r() < 0.5 ? MAX_ABS_TIME - n * 2 ** 40 : -MAX_ABS_TIME;
  const step = 1 + Math.floor(r() * 60_000);
  for (let i = 0; i < n; i++) {
    ts.push(t);
    const c = r();
    if (kind === 0) t += step;
    else if (kind === 1)
      t += step + Math.floor((r() - 0.5) * 40); // jitter
    else if (c < 0.1)
      t += 0; // equal timestamps
    else if (c < 0.15)
      t += Math.floor(r() * 2 ** 40); // large gap
    else if (c < 0.2) t += Math.floor(r() * 2 ** 22);
    else t += Math.floor(r() * step);
    if (t < ts[i]!) t = ts[i]!; // jitter never goes backwards
  }
  return ts;
}

/** Random values of a random kind: decimal or not, with specials sprinkled in some series. */
export function randomValues(r: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  const vs = { push: (x: number) => (out[vs.i++] = x), i: 0 };
  const kind = Math.floor(r() * 8);
  const specials = specialValues();
  let v = Math.floor(r() * 1000);
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 0: // integer counter
        v += Math.floor(r() * 100);
        vs.push(v);
        break;
      case 1: // counter in 0.01 steps
        vs.push(Math.round(v * 100 + i * Math.floor(r() * 50)) / 100);
        break;
      case 2: // 2-decimal gauge random walk
        v += Math.round((r() - 0.5) * 200) / 100;
        vs.push(Math.round(v * 100) / 100);
        break;
      case 3: // arbitrary doubles
        vs.push((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
        break;
      case 4: // constant
        vs.push(v);
        break;
      case 5: // specials among decimals
        vs.push(r() < 0.2 ? specials[Math.floor(r() * specials.length)]! : Math.floor(r() * 1e6) / 1e3);
        break;
      case 6: // huge and tiny, any sign
        vs.push((r() < 0.5 ? -1 : 1) * 10 ** (r() * 600 - 300));
        break;
      default: // raw random bits
        vs.push(floatOf(Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)));
    }
  }
  return out;
}
