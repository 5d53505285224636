/** Queries over the head: series selection through the postings index, lazy sample iteration. */

import { labelsCompare } from '../../model/labels.js';
import { type Matcher, matchesAll, newMatcher } from '../../model/matcher.js';
import type { MetricMetadata } from '../../model/sample.js';
import {
  arraySeriesSet,
  type Querier,
  type SampleIterator,
  type Series,
  type SeriesSet,
} from '../../storage/types.js';
import type { Head } from './head.js';
import { ChunkSeriesIterator } from './iterator.js';
import type { MemSeries } from './series.js';
import { ChunkArena } from './slab.js';

export class HeadQuerier implements Querier {
  /** Copies of open chunks taken by this querier's iterators; dropped with the querier. */
  readonly copies = new ChunkArena(4096);

  constructor(
    private readonly head: Head,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  select(matchers: readonly Matcher[]): SeriesSet {
    return arraySeriesSet(
      this.series(matchers).map((s) => new HeadSeries(this.head, s, this.mint, this.maxt, this.copies)),
    );
  }

  /**
   * The series matching all matchers, sorted by labels; with `raw`, only those whose raw samples
   * may fall in the range (tier reads also want series whose raw data retention removed).
   */
  series(matchers: readonly Matcher[], raw = true): MemSeries[] {
    const out: MemSeries[] = [];
    for (const s of this.matching(matchers)) if (!raw || s.overlaps(this.mint, this.maxt)) out.push(s);
    return out.sort((a, b) => labelsCompare(a.labels, b.labels));
  }

  /** Label names of the series (matching `matchers`, if any) that have samples in the range. */
  labelNames(matchers?: readonly Matcher[]): string[] {
    const names = new Set<string>();
    for (const s of this.matching(matchers ?? [])) {
      if (s.overlaps(this.mint, this.maxt)) for (const l of s.labels) names.add(l.name);
    }
    return [...names].sort();
  }

  /** Values of `name` on the series (matching `matchers`, if any) that have samples in the range. */
  labelValues(name: string, matchers?: readonly Matcher[]): string[] {
    const values = new Set<string>();
    const ms = matchers ?? [];
    // Without matchers, only series carrying the label need a look.
    for (const s of ms.length > 0 ? this.matching(ms) : this.carrying(name)) {
      if (!s.overlaps(this.mint, this.maxt)) continue;
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort();
  }

  metadata(metric?: string): Map<string, MetricMetadata> {
    if (metric === undefined) return new Map(this.head.meta);
    const m = this.head.meta.get(metric);
    return m === undefined ? new Map() : new Map([[metric, m]]);
  }

  close(): void {}

  private *carrying(name: string): Generator<MemSeries> {
    for (const value of this.head.postings.labelValues(name)) {
      for (const ref of this.head.postings.candidates([newMatcher('=', name, value)])) {
        yield this.head.seriesByRef(ref)!;
      }
    }
  }

  private *matching(matchers: readonly Matcher[]): Generator<MemSeries> {
    for (const ref of this.head.postings.candidates(matchers)) {
      const s = this.head.seriesByRef(ref)!;
      if (matchesAll(matchers, s.labels)) yield s;
    }
  }
}

/** A series of the head over the querier's range; its chunks are gathered when iterated. */
class HeadSeries implements Series {
  constructor(
    private readonly head: Head,
    private readonly s: MemSeries,
    private readonly mint: number,
    private readonly maxt: number,
    private readonly copies: ChunkArena,
  ) {}

  get labels() {
    return this.s.labels;
  }

  iterator(reuse?: SampleIterator): SampleIterator {
    // Disk first, then memory: on equal timestamps the iterator keeps the earlier chunk's sample.
    const s = this.s;
    const chunks =
      this.head.persisted !== null && s.diskMinT <= this.maxt && s.diskMaxT >= this.mint
        ? this.head.persisted.chunks(s.ref, this.mint, this.maxt)
        : [];
    s.memChunks(this.mint, this.maxt, chunks, this.copies);
    const it = reuse instanceof ChunkSeriesIterator ? reuse : new ChunkSeriesIterator();
    return it.reset(chunks, this.mint, this.maxt);
  }
}
