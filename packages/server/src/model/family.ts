/** Which metric family a series name belongs to, by the metadata received at ingest. */

import type { MetricMetadata } from './sample.js';

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/**
 * The family of the series named `name` and its metadata: the name itself when it has
 * metadata of its own, else `x` for `x_bucket`, `x_sum` or `x_count` when `x` is a histogram
 * (metadata is kept by family name, as `/api/v1/metadata` reports it), else the name without
 * metadata.
 */
export function familyOf(
  name: string,
  meta: ReadonlyMap<string, MetricMetadata>,
): [family: string, metadata: MetricMetadata | undefined] {
  const own = meta.get(name);
  if (own !== undefined) return [name, own];
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const m = meta.get(base);
    if (m?.type === 'histogram') return [base, m];
  }
  return [name, undefined];
}
