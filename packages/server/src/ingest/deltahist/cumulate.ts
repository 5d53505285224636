/**
 * Histograms of the original TinyObs Go SDK made cumulative. That SDK resets its buckets at every
 * flush and skips label sets without observations, so each push carries per-flush deltas of
 * `<name>_bucket{le}`, `_sum` and `_count` (while its counters are cumulative), and it sends no
 * `+Inf` bucket. Stored as they are, `rate()` and `histogram_quantile()` over them are wrong.
 *
 * The JSON wire format has no temporality field, so the server tells them apart by an explicit
 * extension: `@tinyobs/sdk` sends `"temporality": "cumulative"` at the top of the body; a body
 * without it is taken to come from the Go SDK, and its histogram points are added to a running
 * total per series (and a `+Inf` bucket equal to the running `_count` is added when the push has
 * none). Counters and gauges are never touched.
 */

import { type Label, labelsKey, METRIC_NAME } from '../../model/labels.js';
import { SampleBatch } from '../batch.js';
import type { DeltaState } from '../series/delta.js';

const SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * The batch with its histogram samples turned into running totals and the missing `+Inf` buckets
 * added, and how many samples were refused because they were not newer than the last delta of
 * their series (a repeated push).
 */
export function cumulateDeltaHistograms(
  batch: SampleBatch,
  state: DeltaState,
): { batch: SampleBatch; refused: number } {
  const out = new SampleBatch();
  for (const [k, v] of batch.metadata) out.metadata.set(k, v);
  let refused = 0;
  const withInf = new Set<string>();
  const counts: { labels: Label[]; t: number; v: number }[] = [];
  const n = batch.length;
  for (let i = 0; i < n; i++) {
    const labels = batch.labels[i]!;
    const name = labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
    const suffix = SUFFIXES.find((s) => name.endsWith(s));
    const family = suffix === undefined ? '' : name.slice(0, -suffix.length);
    const t = batch.ts[i]!;
    if (suffix === undefined || batch.metadata.get(family)?.type !== 'histogram') {
      out.push(labels, t, batch.value(i));
      continue;
    }
    const total = state.add(labelsKey(labels), t, batch.value(i));
    if (total === null) {
      refused++;
      continue;
    }
    out.push(labels, t, total);
    if (suffix === '_bucket' && labels.some((l) => l.name === 'le' && l.value === '+Inf')) {
      withInf.add(infKey(labels, family));
    }
    if (suffix === '_count') counts.push({ labels: labels as Label[], t, v: total });
  }
  for (const c of counts) {
    const family = c.labels.find((l) => l.name === METRIC_NAME)!.value.slice(0, -'_count'.length);
    if (withInf.has(infKey(c.labels, family))) continue;
    const inf: Label[] = c.labels.map((l) =>
      l.name === METRIC_NAME ? { name: METRIC_NAME, value: `${family}_bucket` } : l,
    );
    inf.push({ name: 'le', value: '+Inf' });
    inf.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    out.push(inf, c.t, c.v);
  }
  return { batch: out, refused };
}

/** Identity of a histogram's label set (without name and `le`) for matching `+Inf` to `_count`. */
function infKey(labels: readonly Label[], family: string): string {
  return family + labelsKey(labels.filter((l) => l.name !== METRIC_NAME && l.name !== 'le'));
}
