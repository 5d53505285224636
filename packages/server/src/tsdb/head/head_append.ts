/**
 * Batched appends to the head. Samples are validated against the series' newest stored sample at
 * append time and buffered; `commit()` applies the batch at once, so a batch is all-or-nothing for
 * queries (and, with the write-ahead log, for durability).
 */

import type { Labels } from '../../model/labels.js';
import { type MetricMetadata, sameFloatBits } from '../../model/sample.js';
import type { Appender, CommitResult, RejectReason, SeriesRef } from '../../storage/types.js';
import type { Head } from './head.js';
import type { MemSeries } from './series.js';

export class HeadAppender implements Appender {
  private series: MemSeries[] = [];
  private ts: number[] = [];
  /**
   * Values go in a Float64Array, not a JS array: V8 quiets signalling NaNs stored in double
   * arrays, which would turn the stale marker 0x7ff0000000000002 into an ordinary NaN.
   */
  private vs = new Float64Array(64);
  /** Newest pending timestamp per series ref, so a batch is checked against itself too. */
  private readonly pendingMax = new Map<number, number>();
  private readonly pendingMeta = new Map<string, MetricMetadata>();
  private readonly rejected: Partial<Record<RejectReason, number>> = {};
  private duplicatesKept = 0;

  constructor(private readonly head: Head) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    const s = (ref !== 0 ? this.head.seriesByRef(ref) : undefined) ?? this.head.getOrCreate(labels);
    const newest = Math.max(s.maxTime(), this.pendingMax.get(s.ref) ?? Number.NEGATIVE_INFINITY);
    if (t < newest) {
      this.reject('out_of_order');
      return s.ref;
    }
    if (t === newest && t === s.maxTime()) {
      // Same timestamp as the stored sample: a retry of the same value is harmless, a new value
      // is a conflict (Prometheus' "duplicate sample for timestamp").
      if (sameFloatBits(v, s.lastValue()!)) this.duplicatesKept++;
      else this.reject('duplicate_timestamp');
      return s.ref;
    }
    if (t === newest) {
      this.reject('duplicate_timestamp');
      return s.ref;
    }
    if (this.series.length === this.vs.length) {
      const grown = new Float64Array(this.vs.length * 2);
      grown.set(this.vs);
      this.vs = grown;
    }
    this.vs[this.series.length] = v;
    this.series.push(s);
    this.ts.push(t);
    this.pendingMax.set(s.ref, t);
    return s.ref;
  }

  setMetadata(metric: string, meta: MetricMetadata): void {
    this.pendingMeta.set(metric, meta);
  }

  async commit(): Promise<CommitResult> {
    for (let i = 0; i < this.series.length; i++) this.series[i]!.push(this.ts[i]!, this.vs[i]!);
    for (const [metric, meta] of this.pendingMeta) this.head.meta.set(metric, meta);
    const stats = this.head.stats;
    stats.samplesAppended += this.series.length;
    stats.outOfOrderRejected += this.rejected.out_of_order ?? 0;
    stats.duplicatesRejected += this.rejected.duplicate_timestamp ?? 0;
    const result: CommitResult = {
      appended: this.series.length + this.duplicatesKept,
      rejected: { ...this.rejected },
    };
    this.rollback();
    return result;
  }

  rollback(): void {
    this.series = [];
    this.ts = [];
    this.pendingMax.clear();
    this.pendingMeta.clear();
    this.duplicatesKept = 0;
    for (const k of Object.keys(this.rejected)) delete this.rejected[k as RejectReason];
  }

  private reject(reason: RejectReason): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }
}
