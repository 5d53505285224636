/**
 * Series by the raw bytes that named them on the wire (remote write 1.0: a `TimeSeries`' label
 * fields as sent), so a sender that repeats its series, as every Prometheus does, skips label
 * decoding, sorting and validation after the first request. Looked up by a hash of the bytes (a
 * small integer key: no string per lookup); the bytes are compared on a hit. Bounded as
 * {@link Generations} are.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import { Generations } from './generations.js';
import { newSlot, type SeriesSlot } from './slot.js';

interface Entry {
  readonly raw: Uint8Array;
  readonly slot: SeriesSlot;
}

export class RawSeriesCache {
  private readonly entries: Generations<number, Entry>;
  /**
   * Slots by label set: two spellings of one series (labels in another order) share a slot, so a
   * request holding both still has one series in its batch.
   */
  private readonly slots: Generations<string, SeriesSlot>;

  constructor(capacity = 100_000) {
    this.entries = new Generations(capacity);
    this.slots = new Generations(capacity);
  }

  /** The series named by `b[start, end)`, if cached. */
  get(b: Uint8Array, start: number, end: number): SeriesSlot | undefined {
    const e = this.entries.get(hashBytes(b, start, end));
    if (e === undefined) return undefined;
    const raw = e.raw;
    if (raw.length !== end - start) return undefined;
    for (let i = 0; i < raw.length; i++) if (raw[i] !== b[start + i]) return undefined;
    return e.slot;
  }

  /** Caches the validated, sorted `labels` under the bytes `b[start, end)`. */
  set(b: Uint8Array, start: number, end: number, labels: Labels): SeriesSlot {
    const key = labelsKey(labels);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = newSlot(labels);
      this.slots.set(key, slot);
    }
    this.entries.set(hashBytes(b, start, end), { raw: b.slice(start, end), slot });
    return slot;
  }
}

/** FNV-1a over the bytes, kept to a small integer. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h & 0x3fffffff;
}
