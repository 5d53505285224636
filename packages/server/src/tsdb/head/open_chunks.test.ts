import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { XorAppender } from '../chunkenc/index.js';
import { specialValues } from '../chunkenc/testkit.js';
import { Head } from './head.js';
import { CHUNK_SAMPLES, MAX_SAMPLE_BYTES, OpenChunks } from './open_chunks.js';

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

describe('open chunks in columns', () => {
  it('write the bytes an appender of its own writes, for series appended in turn, across slot moves and resets', () => {
    const rnd = mulberry32(11);
    const special = specialValues();
    const refs = 40;
    const open = new OpenChunks();
    open.ensure(refs);
    const plain = Array.from({ length: refs + 1 }, () => new XorAppender(32));
    const t = new Float64Array(refs + 1);
    for (let round = 0; round < 400; round++) {
      for (let ref = 1; ref <= refs; ref++) {
        t[ref]! += 1 + Math.floor(rnd() * (ref % 3 === 0 ? 1e6 : 20));
        const pick = rnd();
        // Timestamps with jitter and gaps; values from constant to incompressible, specials too.
        const v =
          pick < 0.1
            ? special[Math.floor(rnd() * special.length)]!
            : ref % 4 === 0
              ? rnd() * 1e9
              : Math.round(round / 7);
        if (open.count(ref) === 0 && open.capacity(ref) === 0) open.reset(ref, 48);
        else if (open.count(ref) >= CHUNK_SAMPLES) {
          assert.deepEqual(open.bytes(ref), plain[ref]!.bytes(), `ref ${ref} round ${round}`);
          open.reset(ref, rnd() < 0.5 ? undefined : 64);
          plain[ref]!.reset();
        } else if (open.capacity(ref) - open.used(ref) < MAX_SAMPLE_BYTES) {
          open.moveTo(ref, open.used(ref) * 1.5 + 32);
        }
        open.append(ref, t[ref]!, v);
        plain[ref]!.append(t[ref]!, v);
        assert.equal(open.count(ref), plain[ref]!.count);
        assert.equal(open.maxTime(ref), plain[ref]!.maxTime);
        assert.equal(open.previousTime(ref), plain[ref]!.previousTime);
      }
    }
    for (let ref = 1; ref <= refs; ref++)
      assert.deepEqual(open.bytes(ref), plain[ref]!.bytes(), `ref ${ref}`);
  });

  it('keep a head series readable across cuts and slot moves, stale markers included', () => {
    const head = new Head();
    const s = head.getOrCreate([{ name: '__name__', value: 'up' }])!;
    const n = CHUNK_SAMPLES * 3 + 7;
    const bits = new Float64Array(1);
    for (let i = 0; i < n; i++) head.store(s.ref, i * 1000, i % 50 === 0 ? STALE : i * 1.5);
    for (let i = 0; i < n; i++) {
      const v = s.valueAt(i * 1000);
      // Through a typed array: a JS array literal would quiet the signalling NaN itself.
      bits[0] = v!;
      if (i % 50 === 0) assert.equal(new BigUint64Array(bits.buffer)[0], 0x7ff0000000000002n);
      else assert.equal(v, i * 1.5);
    }
  });
});
