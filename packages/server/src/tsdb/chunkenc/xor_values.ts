/**
 * Gorilla's value compression (Pelkonen et al., VLDB 2015, §4.1.2), bit for bit as in
 * Prometheus' `xorWrite`/`xorRead` (`tsdb/chunkenc/xor.go`): the first value as 64 raw bits, then
 * each value's XOR with the previous one: `0` if equal, `10` + the meaningful bits inside the
 * previous leading/trailing-zero window, or `11` + 5 bits leading zeros (capped at 31) + 6 bits
 * length (64 written as 0) + the meaningful bits.
 *
 * Values are handled as two uint32 halves, so every float64 (NaN payloads, -0, ±Inf,
 * subnormals) round-trips bit for bit without BigInt. Used by the XOR chunk (interleaved with
 * timestamps) and the packed-XOR chunk (a stream of its own).
 */

import { type BitReader, type BitWriter, peekAt } from './bitstream.js';
import { fromBits, HI, hiBits, LO, loBitsOfLast } from './float64.js';

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * What the value compression carries from one value to the next: the previous value's halves and
 * the current leading/trailing-zero window (`leading` 0xff: no window yet). A plain record, so
 * that a writer can keep it in its own fields (the head's open chunks: one object less to reach
 * per appended sample).
 */
export interface XorValueState {
  vHi: number;
  vLo: number;
  leading: number;
  trailing: number;
}

/** Writes the first value of a stream (64 raw bits). */
export function writeFirstValue(w: BitWriter, s: XorValueState, v: number): void {
  s.vHi = hiBits(v);
  s.vLo = loBitsOfLast();
  s.leading = 0xff;
  s.trailing = 0;
  w.writeBits(s.vHi, 32);
  w.writeBits(s.vLo, 32);
}

/** Writes a following value as its XOR with the previous one. */
export function writeNextValue(w: BitWriter, s: XorValueState, v: number): void {
  const hi = hiBits(v);
  const lo = loBitsOfLast();
  const xh = (hi ^ s.vHi) >>> 0;
  const xl = (lo ^ s.vLo) >>> 0;
  s.vHi = hi;
  s.vLo = lo;
  if (xh === 0 && xl === 0) {
    w.writeBit(0);
    return;
  }
  let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
  const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
  // 5 bits hold at most 31 leading zeros (Prometheus does the same clamp).
  if (lead >= 32) lead = 31;
  let t: number;
  let sig: number;
  // Control bits go out with the field after them when both fit in one 32-bit write: the same
  // bits in the same order, in half the writes (a write is most of an append's cost).
  if (s.leading !== 0xff && lead >= s.leading && trail >= s.trailing) {
    // The new meaningful bits fit in the previous window: no need to repeat its size.
    t = s.trailing;
    sig = 64 - s.leading - t;
    if (sig <= 30) {
      w.writeBits((0b10 << sig) | low32(xh, xl, t), sig + 2);
      return;
    }
    w.writeBits(0b10, 2);
  } else {
    s.leading = lead;
    s.trailing = trail;
    t = trail;
    sig = 64 - lead - trail;
    w.writeBits((0b11 << 11) | (lead << 6) | (sig & 63), 13);
  }
  // The meaningful bits are `xh:xl` shifted right by `t` (at most 32 of them when t >= 32).
  w.writeBits64(t >= 32 ? 0 : xh >>> t, low32(xh, xl, t), sig);
}

/** The low 32 bits of the 64-bit `xh:xl` shifted right by `t` (0 <= t < 64). */
function low32(xh: number, xl: number, t: number): number {
  if (t === 0) return xl;
  if (t >= 32) return xh >>> (t - 32);
  return ((xl >>> t) | (xh << (32 - t))) >>> 0;
}

/** Writes values into a stream of their own; keeps the state between them. */
export class XorValueWriter implements XorValueState {
  vHi = 0;
  vLo = 0;
  leading = 0xff;
  trailing = 0;

  first(w: BitWriter, v: number): void {
    writeFirstValue(w, this, v);
  }

  next(w: BitWriter, v: number): void {
    writeNextValue(w, this, v);
  }
}

/** Reads values written by {@link XorValueWriter}; `v` is the last value read. */
export class XorValueReader {
  private vHi = 0;
  private vLo = 0;
  private leading = 0;
  private trailing = 0;
  v = 0;

  /** Reads the first value of a stream. */
  first(r: BitReader): void {
    this.vHi = r.readBits(32);
    this.vLo = r.readBits(32);
    this.leading = 0;
    this.trailing = 0;
    this.v = fromBits(this.vHi, this.vLo);
  }

  /** Reads a following value; a corrupt window sets `r.overrun`. */
  next(r: BitReader): void {
    // Control bits and window size come from one 32-bit peek.
    const w = r.peek32();
    if (w >= 0) {
      r.advance(1); // '0': same value
      return;
    }
    if ((w & 0x4000_0000) === 0) {
      r.advance(2); // '10': previous window
    } else {
      // '11' + 5 bits leading + 6 bits length
      this.leading = (w >>> 25) & 31;
      let sig = (w >>> 19) & 63;
      if (sig === 0) sig = 64;
      this.trailing = 64 - this.leading - sig;
      r.advance(13);
      if (this.trailing < 0) {
        r.overrun = true; // leading + length > 64: corrupt; the caller reports it
        return;
      }
    }
    const t = this.trailing;
    const sig = 64 - this.leading - t;
    let ph = 0;
    let pl: number;
    if (sig > 32) {
      ph = r.readBits(sig - 32);
      pl = r.readBits(32);
    } else {
      pl = r.readBits(sig);
    }
    if (t === 0) {
      this.vHi ^= ph;
      this.vLo ^= pl;
    } else if (t >= 32) {
      this.vHi ^= pl << (t - 32);
    } else {
      this.vHi ^= (ph << t) | (pl >>> (32 - t));
      this.vLo ^= pl << t;
    }
    this.vHi >>>= 0;
    this.vLo >>>= 0;
    this.v = fromBits(this.vHi, this.vLo);
  }
}

/**
 * Decodes a whole value stream of `n` values (the first as 64 raw bits, then XOR codes) from bit
 * `bp` of `b` into `out32`, a Uint32Array view of a Float64Array (value i in halves 2i, 2i+1),
 * so every bit survives. Returns how many values were read before the stream ran past `endBits`
 * or held an impossible window: the same samples {@link XorValueReader} yields before it sets
 * `overrun`.
 */
export function decodeXorValues(
  b: Uint8Array,
  bp: number,
  endBits: number,
  n: number,
  out32: Uint32Array,
): number {
  if (n === 0) return 0;
  let vHi = peekAt(b, bp) >>> 0;
  let vLo = peekAt(b, bp + 32) >>> 0;
  bp += 64;
  if (bp > endBits) return 0;
  out32[HI] = vHi;
  out32[LO] = vLo;
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < n; i++) {
    const w = peekAt(b, bp);
    if (w >= 0) {
      bp += 1; // '0': same value
    } else {
      if ((w & 0x4000_0000) === 0) {
        bp += 2; // '10': previous window
      } else {
        leading = (w >>> 25) & 31;
        let m = (w >>> 19) & 63;
        if (m === 0) m = 64;
        trailing = 64 - leading - m;
        bp += 13;
        if (trailing < 0) return i; // corrupt window
      }
      const t = trailing;
      const sig = 64 - leading - t;
      let ph = 0;
      let pl: number;
      if (sig > 32) {
        ph = peekAt(b, bp) >>> (64 - sig);
        pl = peekAt(b, bp + sig - 32) >>> 0;
      } else {
        pl = peekAt(b, bp) >>> (32 - sig);
      }
      bp += sig;
      if (t === 0) {
        vHi = (vHi ^ ph) >>> 0;
        vLo = (vLo ^ pl) >>> 0;
      } else if (t >= 32) {
        vHi = (vHi ^ (pl << (t - 32))) >>> 0;
      } else {
        vHi = (vHi ^ ((ph << t) | (pl >>> (32 - t)))) >>> 0;
        vLo = (vLo ^ (pl << t)) >>> 0;
      }
    }
    if (bp > endBits) return i;
    out32[2 * i + HI] = vHi;
    out32[2 * i + LO] = vLo;
  }
  return n;
}
