/**
 * Histograms of the original TinyObs Go SDK made cumulative. That SDK resets its buckets at every
 * flush and skips label sets without observations, so each push carries per-flush deltas of
 * `<name>_bucket{le}`, `_sum` and `_count` (while its counters are cumulative), and it sends no
 * `+Inf` bucket. Stored as they are, `rate()` and `histogram_quantile()` over them are wrong.
 *
 * The JSON wire format has no temporality field, so the server tells them apart by an explicit
 * extension: `@tinyobs/sdk` sends `"temporality": "cumulative"` at the top of the body; a body
 * without it is taken to come from the Go SDK, and its histogram points are added to a running
 * total per series, and a `+Inf` bucket equal to the running `_count` is added when the push has
 * none. The Go SDK leaves timestamps zero ("now"), and its batcher can carry two flushes of one
 * histogram in one request: deltas at the same time are summed, not replaced. Counters and gauges
 * are never touched.
 */

import { type Label, type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import type { SampleBatch } from '../batch.js';
import type { DeltaState } from '../series/delta.js';

/** Accumulates the histogram points of one request; {@link finish} adds the `+Inf` buckets. */
export class DeltaHistograms {
  private readonly withInf = new Set<string>();
  private readonly counts = new Map<string, { labels: Labels; family: string; t: number; v: number }>();

  constructor(private readonly state: DeltaState) {}

  /**
   * The running total for a histogram point (`labels` sorted, with `__name__`) of `family`, or
   * null when it is older than the last delta of its series.
   */
  add(labels: Labels, family: string, t: number, delta: number): number | null {
    const total = this.state.add(labels, t, delta, true);
    if (total === null) return null;
    const name = labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
    if (name === `${family}_bucket` && labels.some((l) => l.name === 'le' && l.value === '+Inf')) {
      this.withInf.add(groupKey(labels, family));
    } else if (name === `${family}_count`) {
      this.counts.set(labelsKey(labels), { labels, family, t, v: total });
    }
    return total;
  }

  /** Adds a `+Inf` bucket (= the running count) to every histogram of the request that lacks one. */
  finish(batch: SampleBatch): void {
    for (const c of this.counts.values()) {
      if (this.withInf.has(groupKey(c.labels, c.family))) continue;
      const inf: Label[] = c.labels.map((l) =>
        l.name === METRIC_NAME ? { name: METRIC_NAME, value: `${c.family}_bucket` } : l,
      );
      inf.push({ name: 'le', value: '+Inf' });
      const s = batch.addSeries(inf);
      if (typeof s === 'number') batch.add(s, c.t, c.v);
    }
  }
}

/** Identity of a histogram's label set (without name and `le`) for matching `+Inf` to `_count`. */
function groupKey(labels: Labels, family: string): string {
  return family + labelsKey(labels.filter((l) => l.name !== METRIC_NAME && l.name !== 'le'));
}
