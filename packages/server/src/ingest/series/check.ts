/**
 * The series rules every wire format applies, so that a series is refused for the same reasons
 * whichever protocol carried it: a valid metric name, valid label names that are not reserved,
 * and the limits of {@link IngestLimits} (label count, name and value lengths). Names already seen
 * in a request are remembered: a batch repeats a few names many times, and the regular
 * expressions are the costly part of the check.
 */

import { type Label, METRIC_NAME } from '../../model/labels.js';
import { isReservedLabelName, isValidLabelName, isValidMetricName } from '../../model/names.js';
import type { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';

/** One refused point or series: where it is in the request and which rule it broke. */
export interface PointIssue {
  /** Position of the point, series or line in the request (0-based). */
  readonly index: number;
  /** `name`, `labels.service`, `value`, … ('' for the whole point). */
  readonly field: string;
  readonly message: string;
}

/** What a parser made of a request: the valid samples, and why the others were refused. */
export interface ParsedPush {
  /** Points (or series, for formats that group samples by series) in the request. */
  readonly total: number;
  readonly batch: SampleBatch;
  readonly issues: PointIssue[];
}

export class SeriesChecker {
  private readonly goodMetrics = new Set<string>();
  private readonly goodLabels = new Set<string>();

  constructor(private readonly limits: IngestLimits) {}

  /**
   * Sorts `pairs` by name in place and checks them. Returns null when they form a valid series,
   * else the issue (without its index). Empty values are dropped (Prometheus: empty = absent).
   */
  check(pairs: Label[]): { field: string; message: string } | null {
    let n = 0;
    for (let i = 0; i < pairs.length; i++) if (pairs[i]!.value !== '') pairs[n++] = pairs[i]!;
    pairs.length = n;
    sortByName(pairs);
    let hasName = false;
    for (let i = 0; i < n; i++) {
      const l = pairs[i]!;
      if (i > 0 && pairs[i - 1]!.name === l.name) {
        return { field: `labels.${l.name}`, message: 'label name repeated in one series' };
      }
      if (l.name === METRIC_NAME) {
        hasName = true;
        const bad = this.metricName(l.value);
        if (bad !== null) return { field: 'name', message: bad };
        continue;
      }
      const bad = this.labelName(l.name);
      if (bad !== null) return { field: `labels.${l.name}`, message: bad };
      if (l.value.length > this.limits.maxLabelValueLength) {
        return {
          field: `labels.${l.name}`,
          message: `value is ${l.value.length} characters long (limit ${this.limits.maxLabelValueLength})`,
        };
      }
    }
    if (!hasName) return { field: 'name', message: 'the series has no metric name (__name__ label)' };
    if (n - 1 > this.limits.maxLabelsPerMetric) {
      return { field: 'labels', message: `has ${n - 1} labels (limit ${this.limits.maxLabelsPerMetric})` };
    }
    return null;
  }

  /** Null when `name` is a valid metric name within limits, else why not. */
  metricName(name: string): string | null {
    if (this.goodMetrics.has(name)) return null;
    if (name.length > this.limits.maxNameLength) {
      return `metric name is ${name.length} characters long (limit ${this.limits.maxNameLength})`;
    }
    if (!isValidMetricName(name)) {
      return `${JSON.stringify(name)} is not a valid metric name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)`;
    }
    this.goodMetrics.add(name);
    return null;
  }

  private labelName(name: string): string | null {
    if (this.goodLabels.has(name)) return null;
    if (name.length > this.limits.maxNameLength) {
      return `label name is ${name.length} characters long (limit ${this.limits.maxNameLength})`;
    }
    if (!isValidLabelName(name)) {
      return `${JSON.stringify(name)} is not a valid label name (must match [a-zA-Z_][a-zA-Z0-9_]*)`;
    }
    if (isReservedLabelName(name)) return `label name ${JSON.stringify(name)} is reserved (starts with "__")`;
    this.goodLabels.add(name);
    return null;
  }
}

/** Insertion sort: label sets are short and usually sorted already. */
export function sortByName(pairs: Label[]): void {
  for (let i = 1; i < pairs.length; i++) {
    const x = pairs[i]!;
    let j = i - 1;
    while (j >= 0 && pairs[j]!.name > x.name) {
      pairs[j + 1] = pairs[j]!;
      j--;
    }
    pairs[j + 1] = x;
  }
}

/** The `le` (or `quantile`) label text of a bound, as Prometheus formats it. */
export function formatLe(b: number): string {
  if (b === Number.POSITIVE_INFINITY) return '+Inf';
  if (b === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(b);
}
