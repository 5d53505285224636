/**
 * The head of the database: every series with its recent samples in memory, the inverted index,
 * and metric metadata. It implements both contracts: {@link Appendable} for ingest and
 * {@link Queryable} for the query engine. Split over files by concern, as Prometheus does:
 * `head.ts` (state and lookups), `head_append.ts` (batches), `head_read.ts` (queries).
 */

import { type Labels, labelsKey, metricName } from '../../model/labels.js';
import type { MetricMetadata } from '../../model/sample.js';
import type { Appendable, Appender, Querier, Queryable } from '../../storage/types.js';
import { HeadAppender } from './head_append.js';
import { HeadQuerier } from './head_read.js';
import { Postings } from './postings.js';
import { MemSeries } from './series.js';

/** Counters the head keeps about itself (exported as `tinyobs_tsdb_*` self-metrics). */
export interface HeadStats {
  series: number;
  samplesAppended: number;
  outOfOrderRejected: number;
  duplicatesRejected: number;
}

export class Head implements Appendable, Queryable {
  /** Series by ref; refs are dense from 1, so index 0 stays empty. */
  private readonly byRef: (MemSeries | undefined)[] = [undefined];
  private readonly byKey = new Map<string, MemSeries>();
  private readonly seriesPerMetric = new Map<string, number>();
  readonly postings = new Postings();
  readonly meta = new Map<string, MetricMetadata>();
  readonly stats: HeadStats = { series: 0, samplesAppended: 0, outOfOrderRejected: 0, duplicatesRejected: 0 };

  appender(): Appender {
    return new HeadAppender(this);
  }

  querier(mint: number, maxt: number): Querier {
    return new HeadQuerier(this, mint, maxt);
  }

  /** The series with exactly these labels, or undefined. */
  lookup(labels: Labels): MemSeries | undefined {
    return this.byKey.get(labelsKey(labels));
  }

  seriesByRef(ref: number): MemSeries | undefined {
    return this.byRef[ref];
  }

  /** Returns the series for the labels, creating and indexing it when new. */
  getOrCreate(labels: Labels): MemSeries {
    const key = labelsKey(labels);
    const existing = this.byKey.get(key);
    if (existing !== undefined) return existing;
    const s = new MemSeries(this.byRef.length, labels);
    this.byRef.push(s);
    this.byKey.set(key, s);
    this.postings.add(s.ref, labels);
    const name = metricName(labels);
    this.seriesPerMetric.set(name, (this.seriesPerMetric.get(name) ?? 0) + 1);
    this.stats.series++;
    return s;
  }

  /** Number of series of one metric name. */
  seriesCount(metric: string): number {
    return this.seriesPerMetric.get(metric) ?? 0;
  }

  /** Series counts per metric name (for cardinality reports). */
  seriesCountsByMetric(): ReadonlyMap<string, number> {
    return this.seriesPerMetric;
  }
}
