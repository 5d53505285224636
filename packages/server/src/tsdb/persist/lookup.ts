/**
 * What the head reads from disk (`PersistedChunks`): a series' raw chunks, and its persisted
 * value at one exact timestamp, for the duplicate rule of late samples that fall in persisted
 * time ranges (`Head.verdict`). A backfill checks many samples of
 * one series' stretch in a row, so the samples of recently checked (series, hour) pairs are kept
 * decoded; any change of raw rows (`ChunkStore.writes`) empties the cache.
 */

import type { PersistedChunks } from '../head/head.js';
import { ChunkSeriesIterator } from '../head/iterator.js';
import { lowerBound } from '../head/series.js';
import type { ChunkStore } from './store.js';

/** Time slot of one cache entry, and how many entries are kept. */
const SLOT_MS = 3_600_000;
const ENTRIES = 64;

export class PersistedReads implements PersistedChunks {
  private readonly cache = new Map<string, { ts: Float64Array; vs: Float64Array }>();
  private readonly it = new ChunkSeriesIterator();
  private writes = -1;

  constructor(private readonly store: ChunkStore) {}

  chunks(ref: number, mint: number, maxt: number): Uint8Array[] {
    return this.store.chunks(ref, mint, maxt);
  }

  /** The value a read of series `ref` returns at exactly `t` from disk, or undefined. */
  valueAt(ref: number, t: number): number | undefined {
    if (this.writes !== this.store.writes) {
      this.cache.clear();
      this.writes = this.store.writes;
    }
    const slot = Math.floor(t / SLOT_MS) * SLOT_MS;
    const key = `${ref}:${slot}`;
    let e = this.cache.get(key);
    if (e === undefined) {
      const it = this.it.reset(this.store.chunks(ref, slot, slot + SLOT_MS - 1), slot, slot + SLOT_MS - 1);
      const ts: number[] = [];
      const vs: number[] = [];
      while (it.next()) {
        ts.push(it.t());
        vs.push(it.v());
      }
      // A Float64Array keeps a stale marker's NaN bits (a JS array may quiet them).
      e = { ts: Float64Array.from(ts), vs: new Float64Array(vs.length) };
      for (let i = 0; i < vs.length; i++) e.vs[i] = vs[i]!;
      if (this.cache.size >= ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, e);
    }
    const i = lowerBound(e.ts, e.ts.length, t);
    return i < e.ts.length && e.ts[i] === t ? e.vs[i] : undefined;
  }
}
