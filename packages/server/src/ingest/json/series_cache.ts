/**
 * Series of the native JSON format already seen and validated, by the raw bytes that named them
 * (`name` and the `labels` object as sent), so a steady client's points skip label parsing,
 * sorting, validation and storage's label hashing (the series ref is kept).
 *
 * Bounded: two generations of at most `capacity` entries each; a hit in the old generation moves
 * the entry to the new one, and when the new one is full the old one is dropped. Several raw
 * spellings of one series share one {@link SeriesSlot}, so a request holding both still has one
 * series (and "last point wins" still applies across them).
 */

import type { Labels } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import { Generations } from '../series/generations.js';
import { fnv1a, type SeriesSlot, SlotsByLabels } from '../series/slot.js';
import { Slabs } from './slabs.js';
import type { PointTemplate } from './template.js';

/** One raw spelling of a series, with the type it was validated for. */
export interface CachedSeries {
  /**
   * The spelling, `raw[at, at + length)`: `name` bytes, a quote (never inside them), the `labels`
   * object's bytes. `raw` is a slab shared with other spellings (see slabs.ts).
   */
  readonly raw: Uint8Array;
  readonly at: number;
  readonly length: number;
  readonly type: MetricType;
  readonly family: string;
  readonly slot: SeriesSlot;
  /** How the last point of this spelling looked (see template.ts), once one was stored. */
  template: PointTemplate | null;
  /** The series that followed this one in the last request that had it: the guess for next time. */
  next: CachedSeries | undefined;
  /** What a point of its family last declared, shared by the family's series (see scan.ts). */
  readonly declared: DeclaredMetadata;
}

/**
 * The metadata a point of a family last declared into a batch, and the batch's metadata version
 * (SampleBatch.metadataVersion) just after. Versions are unique in the process, so a memo of an
 * earlier batch never matches; sharing one memo between the series of a family only makes it
 * match more often.
 */
export interface DeclaredMetadata {
  version: number;
  type: MetricType;
  help: string;
  unit: string;
}

export class SeriesCache {
  /** By a hash of the spelling (a small integer key, no string per lookup); bytes are compared. */
  private readonly spellings: Generations<number, CachedSeries>;
  private readonly slots: SlotsByLabels;
  /** Metadata memos by family (cleared when it outgrows the cache: entries keep theirs). */
  private families = new Map<string, DeclaredMetadata>();
  /** Where spellings are copied to. */
  private readonly spelled = new Slabs();
  /** Points in the last body scanned with this cache. */
  points = 0;

  constructor(private readonly capacity = 100_000) {
    this.spellings = new Generations(capacity);
    this.slots = new SlotsByLabels(capacity);
  }

  /** The series spelled by `b[nameS, nameE)` and `b[labelsS, labelsE)`, if cached. */
  get(b: Buffer, nameS: number, nameE: number, labelsS: number, labelsE: number): CachedSeries | undefined {
    const e = this.spellings.get(spellingHash(b, nameS, nameE, labelsS, labelsE));
    if (e === undefined) return undefined;
    const { raw, at, length } = e;
    const nameLen = nameE - nameS;
    if (length !== nameLen + 1 + labelsE - labelsS) return undefined;
    // Compared in JS: spellings are short, and Buffer.compare's argument checks cost more here.
    for (let i = 0; i < nameLen; i++) if (raw[at + i] !== b[nameS + i]) return undefined;
    const off = labelsS - nameLen - 1 - at;
    for (let i = at + nameLen + 1; i < at + length; i++) if (raw[i] !== b[off + i]) return undefined;
    return e;
  }

  /** Caches a spelling of a validated series; `key` identifies its labels (labelsKey). */
  set(
    b: Buffer,
    nameS: number,
    nameE: number,
    labelsS: number,
    labelsE: number,
    key: string,
    labels: Labels,
    type: MetricType,
    family: string,
  ): CachedSeries {
    const slot = this.slots.slot(labels, key);
    const length = nameE - nameS + 1 + labelsE - labelsS;
    this.spelled.carve(length);
    const { bytes: raw, base: at } = this.spelled;
    // Copied in JS for the same reason as it is compared in JS.
    let w = at;
    for (let i = nameS; i < nameE; i++) raw[w++] = b[i]!;
    raw[w++] = 0x22;
    for (let i = labelsS; i < labelsE; i++) raw[w++] = b[i]!;
    let declared = this.families.get(family);
    if (declared === undefined) {
      if (this.families.size >= this.capacity) this.families = new Map();
      declared = { version: 0, type, help: '', unit: '' };
      this.families.set(family, declared);
    }
    const entry: CachedSeries = {
      raw,
      at,
      length,
      type,
      family,
      slot,
      template: null,
      next: undefined,
      declared,
    };
    this.spellings.set(spellingHash(b, nameS, nameE, labelsS, labelsE), entry);
    return entry;
  }
}

/** FNV-1a over the name bytes, a quote, and the labels bytes, kept to a small integer. */
function spellingHash(b: Buffer, nameS: number, nameE: number, labelsS: number, labelsE: number): number {
  const h = Math.imul(fnv1a(b, nameS, nameE) ^ 0x22, 0x01000193);
  return fnv1a(b, labelsS, labelsE, h) & 0x3fffffff;
}
