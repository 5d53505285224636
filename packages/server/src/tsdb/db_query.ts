/**
 * The database's querier: raw reads go to the head (which reads persisted chunks through the
 * store); reads that pick a downsampled tier (by `SelectHints`, see `downsample/tier_read.ts`)
 * get one bucket aggregate per sample. Raw reads are always exact.
 */

import type { Matcher } from '../model/matcher.js';
import type { MetricMetadata } from '../model/sample.js';
import { arraySeriesSet, type Querier, type SelectHints, type SeriesSet } from '../storage/types.js';
import { aggregateFor, pickTier, TierSeries } from './downsample/tier_read.js';
import type { HeadQuerier } from './head/head_read.js';
import { DOWNSAMPLE_DONE_KEY } from './persist/retention.js';
import type { ChunkStore } from './persist/store.js';

export class DBQuerier implements Querier {
  constructor(
    private readonly store: ChunkStore,
    private readonly raw: HeadQuerier,
    /** Oldest time raw data is kept for (older ranges are answered from the 5m tier). */
    private readonly rawFloor: number,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  select(matchers: readonly Matcher[], hints?: SelectHints): SeriesSet {
    const tier = pickTier(hints, this.mint, this.rawFloor);
    if (tier === 'raw') return this.raw.select(matchers);
    const done = this.store.getMeta(DOWNSAMPLE_DONE_KEY[tier]) ?? Number.NEGATIVE_INFINITY;
    const agg = hints?.aggregate ?? aggregateFor(hints?.func);
    return arraySeriesSet(
      this.raw
        .series(matchers, false)
        .map((s) => new TierSeries(this.store, s, tier, done, agg, this.mint, this.maxt)),
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
