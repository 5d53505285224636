/**
 * The database's querier. Reads go by what exists (`downsample/splice_read.ts`): a range where
 * raw data is kept reads raw samples only (through the head, which reads persisted chunks through
 * the store), whatever the step; only a range reaching before the raw retention cut reads tier
 * buckets there, spliced to raw samples after it. `SelectHints.tier` forces a tier's bucket
 * aggregates as they are (`downsample/tier_read.ts`).
 */

import type { Matcher } from '../model/matcher.js';
import type { MetricMetadata } from '../model/sample.js';
import { arraySeriesSet, type Querier, type SelectHints, type SeriesSet } from '../storage/types.js';
import { type Splice, SplicedSeries } from './downsample/splice_read.js';
import { aggregateFor, TierSeries } from './downsample/tier_read.js';
import type { HeadQuerier } from './head/head_read.js';
import { DOWNSAMPLE_DONE_KEY } from './persist/retention.js';
import type { ChunkStore } from './persist/store.js';

export class DBQuerier implements Querier {
  constructor(
    private readonly store: ChunkStore,
    private readonly raw: HeadQuerier,
    /** Where tiers end and raw data begins (see `splicePoints`). */
    private readonly splice: Splice,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  select(matchers: readonly Matcher[], hints?: SelectHints): SeriesSet {
    const agg = hints?.aggregate ?? aggregateFor(hints?.func);
    const forced = hints?.tier;
    if (forced === '5m' || forced === '1h') {
      const done = this.store.getMeta(DOWNSAMPLE_DONE_KEY[forced]) ?? Number.NEGATIVE_INFINITY;
      return arraySeriesSet(
        this.raw
          .series(matchers, false)
          .map((s) => new TierSeries(this.store, s, forced, done, agg, this.mint, this.maxt)),
      );
    }
    if (forced === 'raw' || this.mint >= this.splice.raw) return this.raw.select(matchers);
    return arraySeriesSet(
      this.raw
        .series(matchers, false)
        .map((s) => new SplicedSeries(this.store, s, this.splice, agg, this.mint, this.maxt)),
    );
  }

  labelNames(matchers?: readonly Matcher[]): string[] {
    return this.raw.labelNames(matchers);
  }

  labelValues(name: string, matchers?: readonly Matcher[]): string[] {
    return this.raw.labelValues(name, matchers);
  }

  metadata(metric?: string): Map<string, MetricMetadata> {
    return this.raw.metadata(metric);
  }

  close(): void {
    this.raw.close();
  }
}
