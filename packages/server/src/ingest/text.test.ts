import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IngestError } from './errors.js';
import { decodeUtf8 } from './text.js';

describe('decodeUtf8', () => {
  it('decodes valid UTF-8, multi-byte characters included', () => {
    assert.equal(decodeUtf8(Buffer.from('ü€😀 ok')), 'ü€😀 ok');
  });
  const bad: [string, number[], number][] = [
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['an overlong encoding', [0x61, 0x62, 0xc0, 0xaf], 2],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], 0],
    ['a truncated sequence', [0x61, 0xe2, 0x82], 1],
    ['a byte never valid', [0xff], 0],
  ];
  for (const [what, bytes, at] of bad) {
    it(`refuses ${what}, naming the offset`, () => {
      assert.throws(
        () => decodeUtf8(Buffer.from(bytes)),
        (err: unknown) =>
          err instanceof IngestError &&
          err.code === 'bad_request' &&
          err.message.includes(`at offset ${at})`),
      );
    });
  }
});
