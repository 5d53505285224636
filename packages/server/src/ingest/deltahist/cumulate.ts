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

import { type Label, type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import { SampleBatch } from '../batch.js';
import type { DeltaState } from '../series/delta.js';

const SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * The batch with its histogram samples turned into running totals and the missing `+Inf` buckets
 * added. A sample not newer than the last delta of its series (a repeated push) is refused into
 * the new batch's issues.
 */
export function cumulateDeltaHistograms(batch: SampleBatch, state: DeltaState): SampleBatch {
  const out = new SampleBatch(batch.limits);
  out.total = batch.total;
  out.issues.push(...batch.issues);
  for (const [k, v] of batch.metadata) out.metadata.set(k, v);
  const index = new Map<number, number>();
  const seriesIn = (s: number): number => {
    let n = index.get(s);
    if (n === undefined) {
      n = out.addValidSeries(batch.series[s]!);
      index.set(s, n);
    }
    return n;
  };
  const withInf = new Set<string>();
  const counts: { labels: Labels; t: number; v: number }[] = [];
  for (let i = 0; i < batch.length; i++) {
    const s = batch.seriesOf(i);
    const labels = batch.series[s]!;
    const t = batch.timeOf(i);
    const name = labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
    const suffix = SUFFIXES.find((x) => name.endsWith(x));
    const family = suffix === undefined ? '' : name.slice(0, -suffix.length);
    if (suffix === undefined || batch.metadata.get(family)?.type !== 'histogram') {
      out.add(seriesIn(s), t, batch.valueOf(i));
      continue;
    }
    const total = state.add(labelsKey(labels), t, batch.valueOf(i));
    if (total === null) {
      out.refuse(name, {
        field: 'timestamp',
        message: 'histogram delta not newer than the last push of its series',
      });
      continue;
    }
    out.add(seriesIn(s), t, total);
    if (suffix === '_bucket' && labels.some((l) => l.name === 'le' && l.value === '+Inf')) {
      withInf.add(infKey(labels, family));
    }
    if (suffix === '_count') counts.push({ labels, t, v: total });
  }
  for (const c of counts) {
    const family = c.labels.find((l) => l.name === METRIC_NAME)!.value.slice(0, -'_count'.length);
    if (withInf.has(infKey(c.labels, family))) continue;
    const inf: Label[] = c.labels.map((l) =>
      l.name === METRIC_NAME ? { name: METRIC_NAME, value: `${family}_bucket` } : l,
    );
    inf.push({ name: 'le', value: '+Inf' });
    const s = out.addSeries(inf);
    if (typeof s === 'number') out.add(s, c.t, c.v);
  }
  return out;
}

/** Identity of a histogram's label set (without name and `le`) for matching `+Inf` to `_count`. */
function infKey(labels: Labels, family: string): string {
  return family + labelsKey(labels.filter((l) => l.name !== METRIC_NAME && l.name !== 'le'));
}
