/**
 * Point templates. A client pushing a series again sends the same bytes for its point except the
 * value and the timestamp: SDKs write a series' name, type, labels, help and unit the same way,
 * in the same order, every time. A template is a point's bytes with those two tokens cut out, so
 * matching the next point of that series is one byte comparison and two token reads instead of
 * scanning every key and label and hashing the series' spelling.
 *
 * A match proves that the point is, byte for byte, a point already scanned and validated with
 * other value and timestamp tokens; the caller still validates those two. Which template to try
 * comes from the order of earlier requests (`CachedSeries.next`: clients send their series in a
 * stable order); a point that does not match takes the scanner's general path.
 */

import { Slabs } from './slabs.js';
import { numberEnd, QUOTE, stringEnd } from './tokens.js';

/** What a cut-out token was. */
const TOKEN_VALUE = 1;
const TOKEN_TIME = 2;

/** Where a matched point's tokens are: string contents without quotes (the scanner's fields). */
export interface PointTokens {
  valueS: number;
  valueE: number;
  valueIsString: boolean;
  tsS: number;
  tsE: number;
  tsIsString: boolean;
  /**
   * The last timestamp token of this body whose time was read (where, which kind; `lastTsE` -1 for
   * none) and that time. SDKs stamp all the points of a collection alike, so most points repeat the
   * previous point's token: comparing its bytes, eight at a time, is cheaper than looking for a
   * string's closing quote byte by byte and than parsing, and makes no garbage (a parsed time is a
   * heap number). Set by the scan (scan.ts) once a time is read; a match only reads it.
   */
  lastTsS: number;
  lastTsE: number;
  lastTsIsString: boolean;
  lastT: number;
}

/**
 * Template bytes live in shared slabs, in the order they are learned, which is the order a client
 * sends its series in: matching a request then reads them front to back instead of reaching one
 * buffer object per series (each a likely cache miss; on 10 000 series that was most of a match's
 * cost). A template learned again goes to the current slab.
 */
const slabs = new Slabs();

export class PointTemplate {
  private constructor(
    /** The point's bytes without its tokens: `view[base, end)` (a slab shared with others). */
    private readonly view: DataView,
    private readonly base: number,
    private readonly end: number,
    /** Where the first token was cut (an offset in `view`), and which token it was. */
    private readonly cut1: number,
    private readonly kind1: number,
    /** Where the second was, and which (`end` and 0 for a point without timestamp). */
    private readonly cut2: number,
    readonly kind2: number,
    /** The point's help and unit (its metadata, with the entry's type). */
    readonly help: string,
    readonly unit: string,
  ) {}

  /**
   * The template of the point `b[pointS, pointE)` whose value token is `b[vS, vE)` and timestamp
   * token `b[tS, tE)` (quotes included; `tS` -1 when it has none: the point then matches without).
   */
  static of(
    b: Uint8Array,
    pointS: number,
    pointE: number,
    vS: number,
    vE: number,
    tS: number,
    tE: number,
    help: string,
    unit: string,
  ): PointTemplate {
    // Without a timestamp, the second cut is an empty one at the point's end.
    const hasTime = tS >= 0;
    if (!hasTime) tS = tE = pointE;
    const valueFirst = vS < tS;
    const [aS, aE, bS, bE] = valueFirst ? [vS, vE, tS, tE] : [tS, tE, vS, vE];
    const n = pointE - pointS - (aE - aS) - (bE - bS);
    slabs.carve(n);
    const { bytes, view, base } = slabs;
    const cut1 = base + aS - pointS;
    const cut2 = cut1 + bS - aE;
    bytes.set(b.subarray(pointS, aS), base);
    bytes.set(b.subarray(aE, bS), cut1);
    bytes.set(b.subarray(bE, pointE), cut2);
    const [k1, k2] = valueFirst ? [TOKEN_VALUE, hasTime ? TOKEN_TIME : 0] : [TOKEN_TIME, TOKEN_VALUE];
    return new PointTemplate(view, base, base + n, cut1, k1, cut2, k2, help, unit);
  }

  /**
   * Matches the point starting at `b[i]` (its `{`; `view` is a DataView over `b`): on success
   * sets the tokens in `out` and returns the end of the point, else returns -1 (and `out` may be
   * half set).
   */
  match(b: Uint8Array, view: DataView, i: number, out: PointTokens): number {
    const lit = this.view;
    const c1 = this.cut1;
    if (!sameBytes(view, i, lit, this.base, c1)) return -1;
    i = readToken(b, view, i + c1 - this.base, this.kind1, out);
    if (i < 0) return -1;
    const c2 = this.cut2;
    if (!sameBytes(view, i, lit, c1, c2)) return -1;
    i += c2 - c1;
    if (this.kind2 === 0) return i;
    i = readToken(b, view, i, this.kind2, out);
    if (i < 0) return -1;
    const end = this.end;
    return sameBytes(view, i, lit, c2, end) ? i + end - c2 : -1;
  }
}

/**
 * Whether `view[at …]` holds the bytes `lit[from, to)`, both runs of valid UTF-8 (a body is
 * checked before it is scanned, and templates are cut from such bodies): eight bytes at a time as
 * float64 (a DataView read compiles to one load; a byte loop was about three times slower on a
 * typical point than four at a time, and eight at a time is another ~25 % faster in isolation).
 * Float equality is byte equality for any eight bytes of valid UTF-8: the two exceptions cannot
 * occur in it. A NaN (never equal to itself) needs a byte 0x7F or 0xFF right after a byte 0xF0 or
 * above, which UTF-8 follows with a continuation byte (0x80 to 0xBF) when it has one at all; -0
 * (equal to +0) needs a continuation byte 0x80 after seven zero bytes.
 */
export function sameBytes(view: DataView, at: number, lit: DataView, from: number, to: number): boolean {
  const d = at - from;
  if (d + to > view.byteLength) return false;
  let k = from;
  for (; k + 8 <= to; k += 8) if (view.getFloat64(d + k, true) !== lit.getFloat64(k, true)) return false;
  if (k + 4 <= to) {
    if (view.getInt32(d + k, true) !== lit.getInt32(k, true)) return false;
    k += 4;
  }
  for (; k < to; k++) if (view.getUint8(d + k) !== lit.getUint8(k)) return false;
  return true;
}

/** Reads a number or escape-free string token at `b[i]` into `out`; returns its end, or -1. */
function readToken(b: Uint8Array, view: DataView, i: number, kind: number, out: PointTokens): number {
  let s = i;
  let e: number;
  let end: number;
  const isString = b[i] === QUOTE;
  if (isString) {
    s = i + 1;
    // The bytes of the last timestamp string read, then a quote: that same string (one the RFC
    // 3339 reader took holds only digits and separators, no quote, escape or control character).
    const n = out.lastTsE - out.lastTsS;
    if (
      kind === TOKEN_TIME &&
      out.lastTsIsString &&
      b[s + n] === QUOTE &&
      sameBytes(view, s, view, out.lastTsS, out.lastTsE)
    )
      e = s + n;
    else e = stringEnd(b, s);
    end = e + 1;
  } else {
    e = numberEnd(b, i);
    end = e;
  }
  if (e < 0) return -1;
  if (kind === TOKEN_VALUE) {
    out.valueS = s;
    out.valueE = e;
    out.valueIsString = isString;
  } else {
    out.tsS = s;
    out.tsE = e;
    out.tsIsString = isString;
  }
  return end;
}
