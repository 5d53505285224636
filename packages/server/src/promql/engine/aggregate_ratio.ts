/**
 * limit_ratio's choice of series, as Prometheus' HashRatioSampler makes it: a series is kept when
 * its label hash, as a fraction of the 64-bit hash space, is below the ratio (or, for a negative
 * ratio, at or above 1 + ratio). So `limit_ratio(r, x)` and `limit_ratio(r - 1, x)` are
 * complements, the choice is stable over time, and it is the series Prometheus would pick: the
 * hash is `labels.Hash()`, XXH64 (seed 0) of `name 0xff value 0xff …` over the sorted labels.
 */

import type { Labels } from '../../model/labels.js';

const M64 = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;

const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M64;
const round = (acc: bigint, input: bigint): bigint => (rotl((acc + input * P2) & M64, 31n) * P1) & M64;
const merge = (acc: bigint, v: bigint): bigint => (((acc ^ round(0n, v)) * P1) & M64) + P4;

/** XXH64 with seed 0 (the xxHash specification), over bytes. */
export function xxhash64(b: Uint8Array): bigint {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length;
  let i = 0;
  let h: bigint;
  if (n >= 32) {
    let v1 = (P1 + P2) & M64;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (M64 + 1n - P1) & M64;
    for (; i + 32 <= n; i += 32) {
      v1 = round(v1, view.getBigUint64(i, true));
      v2 = round(v2, view.getBigUint64(i + 8, true));
      v3 = round(v3, view.getBigUint64(i + 16, true));
      v4 = round(v4, view.getBigUint64(i + 24, true));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M64;
    h = merge(h, v1) & M64;
    h = merge(h, v2) & M64;
    h = merge(h, v3) & M64;
    h = merge(h, v4) & M64;
  } else h = P5;
  h = (h + BigInt(n)) & M64;
  for (; i + 8 <= n; i += 8) {
    h ^= round(0n, view.getBigUint64(i, true));
    h = (rotl(h, 27n) * P1 + P4) & M64;
  }
  if (i + 4 <= n) {
    h ^= (BigInt(view.getUint32(i, true)) * P1) & M64;
    h = (rotl(h, 23n) * P2 + P3) & M64;
    i += 4;
  }
  for (; i < n; i++) {
    h ^= (BigInt(b[i]!) * P5) & M64;
    h = (rotl(h, 11n) * P1) & M64;
  }
  h ^= h >> 33n;
  h = (h * P2) & M64;
  h ^= h >> 29n;
  h = (h * P3) & M64;
  h ^= h >> 32n;
  return h;
}

const encoder = new TextEncoder();

/** Prometheus' `labels.Hash()`. */
export function labelsHash(ls: Labels): bigint {
  // 0xff is not valid UTF-8 on its own: encode the parts and put raw 0xff bytes between them.
  const parts = ls.flatMap((l) => [encoder.encode(l.name), encoder.encode(l.value)]);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
    out[o++] = 0xff;
  }
  return xxhash64(out);
}

/** True when limit_ratio with `ratio` (already capped to [-1, 1]) keeps the series. */
export function ratioSampled(ratio: number, ls: Labels): boolean {
  // Go's float64(hash) / float64(math.MaxUint64): both rounded to the nearest float64, which
  // for MaxUint64 is 2^64.
  const offset = Number(labelsHash(ls)) / 2 ** 64;
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}
