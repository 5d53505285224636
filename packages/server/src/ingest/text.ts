/**
 * Text bodies (native JSON, and the text formats of other protocols) must be valid UTF-8: decoding
 * invalid bytes would silently turn them into U+FFFD, merging distinct label values into one.
 */

import { isUtf8 } from 'node:buffer';
import { IngestError } from './errors.js';

/** Decodes a UTF-8 body; throws a 400 {@link IngestError} naming the first invalid byte. */
export function decodeUtf8(body: Buffer): string {
  if (isUtf8(body)) return body.toString('utf8');
  const at = firstInvalidByte(body);
  throw new IngestError(
    'bad_request',
    `cannot parse request body: not valid UTF-8 (byte 0x${body[at]!.toString(16).padStart(2, '0')} at offset ${at})`,
  );
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidByte(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let min = 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return 0;
}
