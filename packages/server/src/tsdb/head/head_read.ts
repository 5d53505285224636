/** Queries over the head: series selection through the postings index, lazy sample iteration. */

import { labelsCompare } from '../../model/labels.js';
import { type Matcher, matchesAll } from '../../model/matcher.js';
import type { MetricMetadata } from '../../model/sample.js';
import {
  arraySeriesSet,
  type Querier,
  type SampleIterator,
  type Series,
  type SeriesSet,
} from '../../storage/types.js';
import type { Head } from './head.js';
import type { MemSeries } from './series.js';

export class HeadQuerier implements Querier {
  constructor(
    private readonly head: Head,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  select(matchers: readonly Matcher[]): SeriesSet {
    const out: Series[] = [];
    for (const s of this.matching(matchers)) {
      if (s.n === 0 || s.maxTime() < this.mint || s.ts[0]! > this.maxt) continue;
      out.push(new HeadSeries(s, this.mint, this.maxt));
    }
    out.sort((a, b) => labelsCompare(a.labels, b.labels));
    return arraySeriesSet(out);
  }

  labelNames(matchers?: readonly Matcher[]): string[] {
    if (matchers === undefined || matchers.length === 0) return this.head.postings.labelNames();
    const names = new Set<string>();
    for (const s of this.matching(matchers)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  labelValues(name: string, matchers?: readonly Matcher[]): string[] {
    if (matchers === undefined || matchers.length === 0) return this.head.postings.labelValues(name);
    const values = new Set<string>();
    for (const s of this.matching(matchers)) {
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

  private *matching(matchers: readonly Matcher[]): Generator<MemSeries> {
    for (const ref of this.head.postings.candidates(matchers)) {
      const s = this.head.seriesByRef(ref)!;
      if (matchesAll(matchers, s.labels)) yield s;
    }
  }
}

class HeadSeries implements Series {
  constructor(
    private readonly s: MemSeries,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  get labels() {
    return this.s.labels;
  }

  iterator(reuse?: SampleIterator): SampleIterator {
    if (reuse instanceof ArrayIterator) {
      reuse.reset(this.s, this.mint, this.maxt);
      return reuse;
    }
    const it = new ArrayIterator();
    it.reset(this.s, this.mint, this.maxt);
    return it;
  }
}

/** Iterates a series' samples within [mint, maxt] by index; seek is a binary search. */
class ArrayIterator implements SampleIterator {
  private s!: MemSeries;
  private i = 0;
  private end = 0;

  reset(s: MemSeries, mint: number, maxt: number): void {
    this.s = s;
    this.i = s.lowerBound(mint) - 1;
    // Snapshot the length: samples appended after the query started are not part of it.
    this.end = Math.min(s.n, s.lowerBound(maxt + 1));
  }

  next(): boolean {
    if (this.i < this.end) this.i++;
    return this.i < this.end;
  }

  seek(t: number): boolean {
    if (this.i >= 0 && this.i < this.end && this.s.ts[this.i]! >= t) return true;
    const j = this.s.lowerBound(t);
    this.i = Math.max(this.i, j);
    return this.i < this.end;
  }

  t(): number {
    return this.s.ts[this.i]!;
  }

  v(): number {
    return this.s.vs[this.i]!;
  }

  err(): Error | null {
    return null;
  }
}
