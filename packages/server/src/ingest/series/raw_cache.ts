/**
 * Series by the raw bytes that named them on the wire (remote write 1.0: a `TimeSeries`' label
 * fields as sent), so a sender that repeats its series, as every Prometheus does, skips label
 * decoding, sorting and validation after the first request. Looked up by a hash of the bytes (a
 * small integer key: no string per lookup); the bytes are compared on a hit. Bounded as
 * {@link Generations} are.
 */

import type { Labels } from '../../model/labels.js';
import { Generations } from './generations.js';
import { fnv1a, type SeriesSlot, SlotsByLabels } from './slot.js';

interface Entry {
  readonly raw: Uint8Array;
  readonly slot: SeriesSlot;
}

export class RawSeriesCache {
  private readonly entries: Generations<number, Entry>;
  private readonly slots: SlotsByLabels;

  constructor(capacity = 100_000) {
    this.entries = new Generations(capacity);
    this.slots = new SlotsByLabels(capacity);
  }

  /** The series named by `b[start, end)`, if cached. */
  get(b: Uint8Array, start: number, end: number): SeriesSlot | undefined {
    const e = this.entries.get(fnv1a(b, start, end) & 0x3fffffff);
    if (e === undefined) return undefined;
    const raw = e.raw;
    if (raw.length !== end - start) return undefined;
    for (let i = 0; i < raw.length; i++) if (raw[i] !== b[start + i]) return undefined;
    return e.slot;
  }

  /** Caches the validated, sorted `labels` under the bytes `b[start, end)`. */
  set(b: Uint8Array, start: number, end: number, labels: Labels): SeriesSlot {
    const slot = this.slots.slot(labels);
    this.entries.set(fnv1a(b, start, end) & 0x3fffffff, { raw: b.slice(start, end), slot });
    return slot;
  }
}
