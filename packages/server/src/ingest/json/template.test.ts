import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { sameBytes } from './template.js';

/** Random valid UTF-8 text: ASCII (DEL and NUL included), 2-, 3- and 4-byte characters. */
function text(rand: () => number, chars: number): Buffer {
  const pool = ['a', '"', '\u007f', '\u0000', 'é', 'ÿ', '€', '\uffff', '😀', '\u{10ffff}', '\u{10000}'];
  let s = '';
  for (let i = 0; i < chars; i++) s += pool[Math.floor(rand() * pool.length)];
  return Buffer.from(s, 'utf8');
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe('sameBytes', () => {
  it('agrees with a byte comparison on valid UTF-8, for every range and every changed byte', () => {
    const rand = mulberry32(7);
    for (let round = 0; round < 40; round++) {
      const lit = text(rand, 12);
      const prefix = text(rand, Math.floor(rand() * 5));
      const body = Buffer.concat([prefix, lit, text(rand, 3)]);
      const start = prefix.length;
      for (let from = 0; from <= lit.length; from++)
        for (let to = from; to <= lit.length; to++) {
          assert.equal(sameBytes(view(body), start + from, view(lit), from, to), true, `${from}..${to}`);
          for (let k = from; k < to; k++) {
            // Another valid byte at k is not always possible; any other byte must be told apart.
            const changed = Buffer.from(body);
            changed[start + k] = changed[start + k]! ^ 0x01;
            assert.equal(
              sameBytes(view(changed), start + from, view(lit), from, to),
              false,
              `${from}..${to} @${k}`,
            );
          }
        }
    }
  });

  it('is false when the range would run past the end of the body', () => {
    const lit = Buffer.from('{"name":"up"}');
    const body = Buffer.from('xx{"name":"u');
    assert.equal(sameBytes(view(body), 2, view(lit), 0, lit.length), false);
  });
});
