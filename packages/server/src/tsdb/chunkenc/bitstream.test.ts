import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BitReader, BitWriter, bitLen, unzigzag, uvarintLen, zigzag } from './bitstream.js';
import { rng } from './testkit.js';

describe('bit stream', () => {
  it('writes most significant bit first, like Prometheus bstream', () => {
    const w = new BitWriter(4);
    w.writeBit(1);
    w.writeBits(0b010, 3);
    w.writeBits(0xabc, 12);
    assert.deepEqual([...w.buf.subarray(0, w.end)], [0b1010_1010, 0b1011_1100]);
    assert.equal(w.bitLength, 16);
  });

  it('round-trips random fields of 0 to 53 bits and grows its buffer', () => {
    const r = rng(3);
    const w = new BitWriter(1);
    const fields: [number, number, string][] = [];
    for (let i = 0; i < 5000; i++) {
      const kind = Math.floor(r() * 5);
      const n = kind === 0 ? 1 : kind === 1 ? Math.floor(r() * 33) : kind === 2 ? Math.floor(r() * 54) : 0;
      if (kind === 0) {
        const b = r() < 0.5 ? 0 : 1;
        w.writeBit(b);
        fields.push([b, 1, 'bit']);
      } else if (kind === 1) {
        const v = Math.floor(r() * 2 ** n);
        w.writeBits(v, n);
        fields.push([v, n, 'bits']);
      } else if (kind === 2) {
        const v = Math.floor(r() * 2 ** n);
        w.writeBitsWide(v, n);
        fields.push([v, n, 'wide']);
      } else if (kind === 3) {
        const v = Math.floor(r() * 2 ** Math.floor(r() * 53));
        w.writeUvarint(v);
        fields.push([v, 0, 'uvarint']);
      } else {
        const v = Math.floor((r() - 0.5) * 2 ** Math.floor(r() * 52));
        w.writeVarint(v);
        fields.push([v, 0, 'varint']);
      }
    }
    const rd = new BitReader();
    rd.reset(w.buf, 0, w.end);
    for (const [v, n, kind] of fields) {
      const got =
        kind === 'bit'
          ? rd.readBit()
          : kind === 'bits'
            ? rd.readBits(n)
            : kind === 'wide'
              ? rd.readBitsWide(n)
              : kind === 'uvarint'
                ? rd.readUvarint()
                : rd.readVarint();
      assert.equal(got, v, `${kind} ${n}`);
    }
    assert.equal(rd.overrun, false);
  });

  it('writes the low 64 bits of two halves', () => {
    const w = new BitWriter();
    w.writeBits64(0x8000_0001, 0xffff_fffe, 64);
    w.writeBits64(0x3, 0x1, 34);
    const rd = new BitReader();
    rd.reset(w.buf, 0, w.end);
    assert.equal(rd.readBits(32), 0x8000_0001);
    assert.equal(rd.readBits(32), 0xffff_fffe);
    assert.equal(rd.readBits(2), 3);
    assert.equal(rd.readBits(32), 1);
  });

  it('reads unary codes across byte boundaries and stops at the cap without a zero', () => {
    const w = new BitWriter();
    const qs = [0, 1, 7, 8, 9, 15, 16, 19, 20, 20, 3];
    for (const q of qs) {
      for (let i = 0; i < q; i++) w.writeBit(1);
      if (q < 20) w.writeBit(0);
    }
    w.writeBits(0b101, 3);
    const rd = new BitReader();
    rd.reset(w.buf, 0, w.end);
    for (const q of qs) assert.equal(rd.readUnary(20), q);
    assert.equal(rd.readBits(3), 0b101);
    assert.equal(rd.overrun, false);
  });

  it('reports reads past the end instead of throwing', () => {
    const rd = new BitReader();
    rd.reset(Uint8Array.of(0xff), 0);
    assert.equal(rd.readBits(8), 0xff);
    assert.equal(rd.overrun, false);
    assert.equal(rd.readBits(8), 0);
    assert.equal(rd.overrun, true);
    rd.reset(Uint8Array.of(0xff, 0xff), 0);
    assert.equal(rd.readUnary(100), 16);
    assert.equal(rd.overrun, true);
    rd.reset(new Uint8Array(12).fill(0xff), 0);
    rd.readUvarint();
    assert.equal(rd.overrun, true, 'a varint longer than 8 groups is corrupt');
  });

  it('resets to an empty, zeroed buffer', () => {
    const w = new BitWriter(8, 2);
    w.writeBits(0xffff_ffff, 32);
    w.writeBits(0x7, 3);
    w.reset();
    w.writeBit(0);
    assert.deepEqual([...w.buf.subarray(2, 8)], [0, 0, 0, 0, 0, 0]);
    assert.equal(w.end, 3);
  });

  it('zig-zags signed integers and measures lengths', () => {
    for (const x of [0, -1, 1, -2, 2, 2 ** 40, -(2 ** 40), 2 ** 51, -(2 ** 51)]) {
      assert.equal(unzigzag(zigzag(x)), x);
    }
    assert.deepEqual([0, -1, 1, -2].map(zigzag), [0, 1, 2, 3]);
    assert.deepEqual([0, 1, 2, 255, 256, 2 ** 32, 2 ** 53 - 1].map(bitLen), [0, 1, 2, 8, 9, 33, 53]);
    assert.deepEqual([0, 127, 128, 2 ** 14, 2 ** 49].map(uvarintLen), [1, 1, 2, 3, 8]);
  });
});
