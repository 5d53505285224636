/**
 * JSON tokens read straight from the body's bytes, for the fast scanner (scan.ts) and point
 * templates (template.ts): each returns where the token ends, or -1 when the bytes are not one
 * the fast path takes (the caller then falls back to a slower path, never guesses).
 */

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
