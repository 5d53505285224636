/**
 * What a Prometheus exposition (text format 0.0.4 or delimited protobuf) carries: metric families
 * with their samples, before any labels of a push's grouping key are added.
 */

import type { Label } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';

export interface ExposedSample {
  /** Full sample name: the family name, or with `_bucket`, `_sum`, `_count`, `_total`… */
  readonly name: string;
  /** Labels without `__name__`, in the order written. */
  readonly labels: Label[];
  readonly value: number;
  /** Milliseconds, or null when the exposition gave none. */
  readonly timestamp: number | null;
}

export interface ExposedFamily {
  readonly name: string;
  type: MetricType;
  help: string;
  readonly samples: ExposedSample[];
}

/** The parse of one exposition: its families in order, and the lines (or messages) refused. */
export interface Exposition {
  readonly families: ExposedFamily[];
  readonly issues: { index: number; field: string; message: string }[];
}
