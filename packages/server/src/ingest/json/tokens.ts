/**
 * JSON tokens read straight from the body's bytes, for the fast scanner (scanner.ts, scan.ts)
 * and point templates (template.ts): where a token ends (-1 when the bytes are not one the fast
 * path takes: the caller then falls back to a slower path, never guesses), and the values of
 * numbers and special-value strings.
 */

import { SPECIAL_VALUES } from './parse.js';

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** End of a JSON number starting at `i` (exact grammar), or -1. */
export function numberEnd(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else {
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x2e) {
    i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  return i;
}

/**
 * Index of the closing quote of a string whose contents start at `i`, or -1 when it has an
 * escape, a control character or no end (the reference parser judges those).
 */
export function stringEnd(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c === undefined || c < 0x20) return -1;
    i++;
  }
}

/** Exact powers of ten for the correctly rounded number fast path (Clinger: up to 1e22). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * A JSON number's value, as JSON.parse gives it: integers and decimals of up to 15 significant
 * digits with a small exponent are computed exactly (one correctly rounded multiplication or
 * division of exact operands); anything else goes through Number().
 */
export function numberAt(b: Buffer, s: number, e: number): number {
  let i = s;
  const neg = b[i] === 0x2d;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let scale = 0;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      scale = e - i - 1;
      continue;
    }
    if (c < 0x30 || c > 0x39 || ++digits > 15) return Number(b.toString('latin1', s, e));
    m = m * 10 + (c - 0x30);
  }
  if (scale > 22) return Number(b.toString('latin1', s, e));
  const v = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -v : v;
}

/** "NaN", "+Inf", "Inf", "-Inf" as a value string; undefined for any other string. */
export function specialValue(b: Buffer, s: number, e: number): number | undefined {
  if (e - s > 4) return undefined;
  const text = b.toString('latin1', s, e);
  return Object.hasOwn(SPECIAL_VALUES, text) ? SPECIAL_VALUES[text] : undefined;
}
