/**
 * Series remembered across requests by a parser's cache (the native JSON spelling cache, remote
 * write's label-bytes cache): the validated, sorted labels and the storage ref once known.
 *
 * {@link BatchSlots} turns slots into series indexes of one {@link SampleBatch} (each slot once per
 * batch) and, after the commit, keeps the refs storage gave them, so that the next request naming
 * the same series costs storage no label hashing.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import type { Appendable, SeriesRef } from '../../storage/types.js';
import { doubled } from '../../typed.js';
import type { SampleBatch } from '../batch.js';
import { Generations } from './generations.js';

export interface SeriesSlot {
  readonly labels: Labels;
  /** Storage ref, 0 until known. */
  ref: SeriesRef;
  /** The batch (by number) whose index `idx` is. */
  batch: number;
  idx: number;
}

/** Batches built by this process, numbered so slots know which batch their index is for. */
let batchCounter = 0;

/**
 * Slots by label set, for a cache keyed by wire bytes: two spellings of one series (labels in
 * another order) share a slot, so a request holding both still has one series in its batch.
 */
export class SlotsByLabels {
  private readonly slots: Generations<string, SeriesSlot>;

  constructor(capacity: number) {
    this.slots = new Generations(capacity);
  }

  /** The slot of `labels` (validated and sorted; `key` is their labelsKey), made on first use. */
  slot(labels: Labels, key = labelsKey(labels)): SeriesSlot {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { labels, ref: 0, batch: -1, idx: -1 };
      this.slots.set(key, slot);
    }
    return slot;
  }
}

/** FNV-1a of `b[start, end)` continuing from `h`; callers mask the result to a small integer. */
export function fnv1a(b: Uint8Array, start: number, end: number, h = 0x811c9dc5): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}

/**
 * A cache per database, made on first use: series refs must never cross from one store to
 * another (tests run several servers in one process).
 */
export function perStore<T>(make: () => T): (store: Appendable) => T {
  const caches = new WeakMap<Appendable, T>();
  return (store) => {
    let cache = caches.get(store);
    if (cache === undefined) {
      cache = make();
      caches.set(store, cache);
    }
    return cache;
  };
}

/** The cached series of one batch, in the order they were first used. */
export class BatchSlots {
  readonly id = ++batchCounter;
  /** Slots used, with their series index and the ref each had when it joined the batch. */
  private readonly slots: SeriesSlot[];
  private idxs: Int32Array;
  private given: Uint32Array;
  private n = 0;

  /** `capacity`: the series expected (the arrays grow beyond it; as in SampleBatch). */
  constructor(
    readonly batch: SampleBatch,
    capacity = 0,
  ) {
    const size = Math.max(16, capacity);
    this.slots = new Array(size);
    this.idxs = new Int32Array(size);
    this.given = new Uint32Array(size);
  }

  /** The index of a cached series in this batch, adding it on first use. */
  indexOf(slot: SeriesSlot): number {
    if (slot.batch !== this.id) {
      slot.idx = this.batch.addValidSeries(slot.labels, slot.ref);
      this.track(slot, slot.idx);
    }
    return slot.idx;
  }

  /** Records that batch series `idx` (already added) is the series of `slot`. */
  track(slot: SeriesSlot, idx: number): void {
    if (slot.batch === this.id) return;
    slot.batch = this.id;
    slot.idx = idx;
    const n = this.n;
    if (n === this.idxs.length) this.grow();
    this.slots[n] = slot;
    this.idxs[n] = idx;
    this.given[n] = slot.ref;
    this.n = n + 1;
    if (this.batch.refs[idx] === 0) this.batch.refs[idx] = slot.ref;
  }

  /**
   * Keeps the storage refs the commit gave the batch's series in their slots. Only slots whose
   * ref changed (new series, or series storage made again) are touched: visiting ten thousand
   * slot objects after the commit was a cache miss each.
   */
  rememberRefs(): void {
    const { refs } = this.batch;
    const { idxs, given } = this;
    for (let i = 0; i < this.n; i++) {
      const ref = refs[idxs[i]!]!;
      if (ref !== 0 && ref !== given[i]) this.slots[i]!.ref = ref;
    }
  }

  private grow(): void {
    this.idxs = doubled(this.idxs);
    this.given = doubled(this.given);
  }
}
