/** Reading a {@link SampleBatch} back in tests. */

import type { SampleBatch } from '../../src/ingest/batch.js';
import { type Labels, labelsToString } from '../../src/model/labels.js';
import { isStaleNaN } from '../../src/model/sample.js';

export interface BatchRow {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** The samples of a batch in order. */
export function batchRows(b: SampleBatch): BatchRow[] {
  const out: BatchRow[] = [];
  for (let i = 0; i < b.length; i++)
    out.push({ labels: b.labelsOf(b.seriesOf(i)), t: b.timeOf(i), v: b.valueOf(i) });
  return out;
}

/** Series (as Prometheus prints them) → newest value, `'stale'` for the staleness marker. */
export function batchValues(b: SampleBatch): Map<string, number | 'stale'> {
  const out = new Map<string, number | 'stale'>();
  for (const r of batchRows(b)) out.set(labelsToString(r.labels), isStaleNaN(r.v) ? 'stale' : r.v);
  return out;
}
