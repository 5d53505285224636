import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsFromRecord } from '../../model/labels.js';
import { ChunkIterator } from '../chunkenc/index.js';
import { Head } from './head.js';
import { CHUNK_MAX_SPAN_MS, CHUNK_SAMPLES } from './open_chunks.js';
import { type MemSeries, recoder } from './series.js';

function samplesOf(bytes: Uint8Array): [number, number][] {
  const it = new ChunkIterator().reset(bytes);
  const out: [number, number][] = [];
  while (it.next()) out.push([it.t(), it.v()]);
  return out;
}

/** The series' chunks as [mint, maxt, samples], closed ones first, then the open one. */
function chunksOf(s: MemSeries): [number, number, number][] {
  const out: [number, number, number][] = (s.closed ?? []).map((c) => [
    c.mint,
    c.maxt,
    samplesOf(c.bytes).length,
  ]);
  const open = samplesOf(s.openBytes());
  if (s.openCount() > 0) out.push([s.openMinTime(), open.at(-1)![0], s.openCount()]);
  return out;
}

/** A series of a fresh head, and how the head stores its samples. */
function series(): { s: MemSeries; store: (t: number, v: number) => void } {
  const head = new Head();
  const s = head.getOrCreate(labelsFromRecord({ __name__: 'up', job: 'api' }))!;
  return { s, store: (t, v) => head.store(s.ref, t, v) };
}

describe('a head series cuts its open chunk', () => {
  it(`after ${CHUNK_SAMPLES} samples, keeping every sample, across many chunks and buffer moves`, async () => {
    const { s, store } = series();
    const n = CHUNK_SAMPLES * 3 + 5;
    // Values that need more bytes as they go, so the open chunk outgrows its buffers.
    for (let i = 0; i < n; i++) store(i * 10_000, i * 1.37 + (i % 7) * 1e6);
    const step = (CHUNK_SAMPLES - 1) * 10_000;
    assert.deepEqual(chunksOf(s), [
      [0, step, CHUNK_SAMPLES],
      [CHUNK_SAMPLES * 10_000, CHUNK_SAMPLES * 10_000 + step, CHUNK_SAMPLES],
      [2 * CHUNK_SAMPLES * 10_000, 2 * CHUNK_SAMPLES * 10_000 + step, CHUNK_SAMPLES],
      [3 * CHUNK_SAMPLES * 10_000, (n - 1) * 10_000, 5],
    ]);
    await recoder.flushed();
    const all = [...(s.closed ?? []).map((c) => c.bytes), s.openBytes()].flatMap(samplesOf);
    assert.deepEqual(
      all,
      Array.from({ length: n }, (_, i) => [i * 10_000, i * 1.37 + (i % 7) * 1e6]),
    );
  });

  it('before a sample that would make it span two hours, and not at one that would not', () => {
    const { s, store } = series();
    store(0, 1);
    store(CHUNK_MAX_SPAN_MS - 1, 2);
    assert.deepEqual(chunksOf(s), [[0, CHUNK_MAX_SPAN_MS - 1, 2]]);
    store(CHUNK_MAX_SPAN_MS, 3);
    assert.deepEqual(chunksOf(s), [
      [0, CHUNK_MAX_SPAN_MS - 1, 2],
      [CHUNK_MAX_SPAN_MS, CHUNK_MAX_SPAN_MS, 1],
    ]);
  });
});
