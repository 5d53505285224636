/**
 * Series by label set, keyed by a 32-bit hash of the labels instead of a joined string: the key
 * string costs ~150 bytes per series and an allocation per lookup; a hash costs neither. Equal
 * hashes of different label sets share a slot as a small array.
 */

import { type Labels, labelsEqual } from '../../model/labels.js';
import type { MemSeries } from './series.js';

/** FNV-1a over the UTF-16 code units of names and values, with separators. */
export function labelsHash(ls: Labels): number {
  let h = 0x811c9dc5;
  for (const l of ls) {
    const n = l.name;
    for (let i = 0; i < n.length; i++) h = Math.imul(h ^ n.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    const v = l.value;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0xfe, 0x01000193);
  }
  return h >>> 0;
}

export class SeriesMap {
  private readonly slots = new Map<number, MemSeries | MemSeries[]>();

  get(ls: Labels): MemSeries | undefined {
    const slot = this.slots.get(labelsHash(ls));
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return labelsEqual(slot.labels, ls) ? slot : undefined;
    for (const s of slot) if (labelsEqual(s.labels, ls)) return s;
    return undefined;
  }

  /** Adds a series whose labels are not in the map yet. */
  add(s: MemSeries): void {
    const h = labelsHash(s.labels);
    const slot = this.slots.get(h);
    if (slot === undefined) this.slots.set(h, s);
    else if (Array.isArray(slot)) slot.push(s);
    else this.slots.set(h, [slot, s]);
  }
}
