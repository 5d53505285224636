import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { ChunkIterator, chunkEncoding, Encoding, XorAppender } from '../chunkenc/index.js';
import { Head } from './head.js';
import { CHUNK_SAMPLES } from './open_chunks.js';
import { Recoder } from './recoder.js';
import { type MemChunk, recoder } from './series.js';
import { ChunkArena } from './slab.js';

function xorChunk(first: number): Uint8Array {
  const app = new XorAppender();
  for (let i = 0; i < 100; i++) app.append(first + i * 10_000, Math.round(i * 1.7 * 100) / 100);
  return app.bytes();
}

function decode(bytes: Uint8Array): [number, number][] {
  const it = new ChunkIterator().reset(bytes);
  const out: [number, number][] = [];
  while (it.next()) out.push([it.t(), it.v()]);
  return out;
}

/** Cuts three chunks through `r`; returns them and their samples. */
function cutThree(r: Recoder) {
  const xor = [xorChunk(0), xorChunk(5_000_000), xorChunk(9_000_000)];
  const want = xor.map(decode);
  const chunks = xor.map((b, i) => r.chunk(b, want[i]![0]![0], want[i]!.at(-1)![0]));
  // The caller reuses its buffer after the cut: the chunk must not see that.
  for (const b of xor) b.fill(0);
  return { chunks, want };
}

/** Asserts the chunks hold `want` in these encodings. */
function assertChunks(chunks: readonly MemChunk[], encodings: number[], want: [number, number][][]): void {
  assert.deepEqual(
    chunks.map((c) => chunkEncoding(c.bytes)),
    encodings,
  );
  assert.deepEqual(
    chunks.map((c) => decode(c.bytes)),
    want,
  );
}

const RECODED = [Encoding.DECIMAL, Encoding.DECIMAL, Encoding.DECIMAL];

describe('re-encoding cut chunks on another thread', () => {
  it('keeps a copy readable at once and replaces it with the smallest encoding, at once when the queue is full', async () => {
    const r = new Recoder(new ChunkArena(), 2);
    const { chunks, want } = cutThree(r);
    assertChunks(chunks, [Encoding.XOR, Encoding.XOR, Encoding.DECIMAL], want);
    assert.equal(r.pending, 2);
    await r.flushed();
    assert.equal(r.pending, 0);
    assert.ok(r.onWorker, 'a worker thread re-encoded them');
    assertChunks(chunks, RECODED, want);
  });

  it('sends a wave of cuts larger than its messages in turns, and re-encodes every chunk of it', async () => {
    const r = new Recoder(new ChunkArena());
    const source = xorChunk(0);
    const want = decode(source);
    const chunks = Array.from({ length: 5000 }, () => r.chunk(source, want[0]![0], want.at(-1)![0]));
    await r.flushed();
    assert.equal(r.pending, 0);
    assert.ok(chunks.every((c) => chunkEncoding(c.bytes) === Encoding.DECIMAL));
    assert.deepEqual(decode(chunks[4999]!.bytes), want);
  });

  it('re-encodes on the calling thread when the worker cannot start', async () => {
    const r = new Recoder(new ChunkArena(), 100, 'no_such_worker');
    const { chunks, want } = cutThree(r);
    await r.flushed();
    assert.equal(r.onWorker, false);
    assertChunks(chunks, RECODED, want);
    // Later cuts too, at once.
    assert.equal(chunkEncoding(r.chunk(xorChunk(0), 0, 990_000).bytes), Encoding.DECIMAL);
  });

  it('waits only for the chunks cut before the call, and finishes everything at once on request', async () => {
    const r = new Recoder(new ChunkArena());
    const first = cutThree(r);
    const flushed = r.flushed();
    // Cut meanwhile: must not hold up the wait.
    const later = cutThree(r);
    await flushed;
    assertChunks(first.chunks, RECODED, first.want);
    const last = cutThree(r);
    r.finishNow();
    assert.equal(r.pending, 0);
    assertChunks(last.chunks, RECODED, last.want);
    await r.flushed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Replies for what finishNow did are ignored; everything keeps its samples.
    for (const { chunks, want } of [first, later, last]) assertChunks(chunks, RECODED, want);
  });

  it('answers a head query the same before and after its cut chunks are re-encoded', async () => {
    const head = new Head();
    const series = Array.from({ length: 50 }, (_, i) => labelsFromRecord({ __name__: 'm', i: String(i) }));
    for (let t = 0; t < CHUNK_SAMPLES * 2 + 5; t++) {
      const app = head.appender();
      for (const [i, ls] of series.entries()) app.append(0, ls, t * 10_000, (t * (i + 1)) / 4);
      await app.commit();
    }
    const read = () => {
      const q = head.querier(0, Number.MAX_SAFE_INTEGER);
      const set = q.select([]);
      const out: string[] = [];
      while (set.next()) {
        const it = set.at().iterator();
        while (it.next()) out.push(`${it.t()} ${it.v()}`);
      }
      return out;
    };
    assert.ok(recoder.pending > 0, 'the last cut is still waiting');
    const before = read();
    assert.equal(before.length, series.length * (CHUNK_SAMPLES * 2 + 5));
    await recoder.flushed();
    assert.ok(recoder.onWorker);
    assert.deepEqual(read(), before);
    for (const s of head.allSeries())
      for (const c of s.closed!) assert.equal(chunkEncoding(c.bytes), Encoding.DECIMAL);
  });
});
