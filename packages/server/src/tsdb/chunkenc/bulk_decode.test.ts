import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecimalDecoder } from './decimal.js';
import { ChunkEncoder } from './encoder.js';
import { ChunkHeader, Encoding } from './header.js';
import { ChunkIterator } from './iterator.js';
import { PackedXorDecoder } from './packed_xor.js';
import { hexBits, randomTimestamps, randomValues, rng, specialValues } from './testkit.js';
import { XorAppender, XorDecoder } from './xor.js';

/** Samples (as bit strings) and whether the body was reported corrupt, one sample at a time. */
function stepwise(b: Uint8Array): { ts: number[]; vs: string[]; corrupt: boolean } {
  const h = new ChunkHeader();
  const out = { ts: [] as number[], vs: [] as string[], corrupt: false };
  if (!h.parse(b)) return { ...out, corrupt: true };
  let d: XorDecoder | DecimalDecoder | PackedXorDecoder;
  if (h.enc === Encoding.XOR) {
    const x = new XorDecoder();
    x.reset(b, h.bodyStart, h.count, h.mint);
    d = x;
  } else if (h.enc === Encoding.DECIMAL) {
    const x = new DecimalDecoder();
    x.reset(b, h.bodyStart, h.count, h.mint, h.maxt);
    d = x;
  } else {
    const x = new PackedXorDecoder();
    x.reset(b, h.bodyStart, h.count, h.mint, h.maxt);
    d = x;
  }
  while (d.next()) {
    out.ts.push(d.t);
    out.vs.push(hexBits(d.v));
  }
  out.corrupt = d.corrupt;
  return out;
}

function bulk(it: ChunkIterator, b: Uint8Array): { ts: number[]; vs: string[]; corrupt: boolean } {
  const out = { ts: [] as number[], vs: [] as string[], corrupt: false };
  it.reset(b);
  while (it.next()) {
    out.ts.push(it.t());
    out.vs.push(hexBits(it.v()));
  }
  out.corrupt = it.err() !== null;
  return out;
}

describe('whole-chunk decoding (ChunkIterator) against the sample-by-sample decoders', () => {
  it('yields the same samples and the same error point on valid and damaged chunks of every encoding', () => {
    const r = rng(4321);
    const enc = new ChunkEncoder();
    const it = new ChunkIterator();
    const app = new XorAppender();
    for (let round = 0; round < 6000; round++) {
      const n = 1 + Math.floor(r() * 200);
      const ts = randomTimestamps(r, n);
      const vs =
        round % 5 === 0
          ? specialValues().subarray(0, Math.min(n, specialValues().length))
          : randomValues(r, n);
      const m = Math.min(n, vs.length);
      let b: Uint8Array;
      if (round % 3 === 0) {
        app.reset();
        for (let i = 0; i < m; i++) app.append(ts[i]!, vs[i]!);
        b = app.bytes().slice();
      } else {
        b = enc.encode(ts, vs, m)!.slice();
      }
      if (round % 2 === 1 && b.length > 5) {
        // Damage the body from a random point on: flip, truncate or noise.
        const from = 4 + Math.floor(r() * (b.length - 4));
        const kind = round % 4;
        if (kind === 1) b = b.subarray(0, from);
        else for (let j = from; j < b.length; j++) b[j] = kind === 3 ? Math.floor(r() * 256) : b[j]! ^ 0xff;
      }
      assert.deepEqual(bulk(it, b), stepwise(b), `round ${round}`);
    }
  });
});
