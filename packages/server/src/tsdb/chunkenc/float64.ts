/**
 * float64 ⇄ two uint32 halves through one shared typed-array scratch. Going through a
 * Float64Array keeps every bit of the value, NaN payloads included (Prometheus' stale marker
 * 0x7ff0000000000002 is a signalling NaN and must survive exactly).
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high / low uint32 half of a float64 in a Uint32Array view of the same bytes. */
export const HI = littleEndian ? 1 : 0;
export const LO = littleEndian ? 0 : 1;

/** High 32 bits (sign, exponent, top of the mantissa) of `v`, as an unsigned number. */
export function hiBits(v: number): number {
  f64[0] = v;
  return u32[HI]!;
}

/** Low 32 bits of the last value given to {@link hiBits}. Call right after it. */
export function loBitsOfLast(): number {
  return u32[LO]!;
}

/** The float64 with the given halves. */
export function fromBits(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0]!;
}

/** True when `a` and `b` have identical bits (distinguishes -0 from 0 and NaN payloads). */
export function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  const h = u32[HI];
  const l = u32[LO];
  f64[0] = b;
  return h === u32[HI] && l === u32[LO];
}
