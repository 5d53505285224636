/**
 * The validation every wire format goes through, by way of {@link SampleBatch}: label names and
 * values, lengths, label count, well-formed Unicode, the representable time range, and metadata
 * sizes. Pure functions that return a {@link Problem} instead of throwing, so parsers can skip a
 * bad point and keep the good ones.
 */

import { type Label, METRIC_NAME } from '../model/labels.js';
import { isReservedLabelName, isValidLabelName, isValidMetricName } from '../model/names.js';
import type { MetricMetadata } from '../model/sample.js';
import { type IngestLimits, MAX_TIMESTAMP_MS, MIN_TIMESTAMP_MS } from './limits.js';

/** Why one point is refused: the field (relative to the point, e.g. `labels.pod`) and the rule. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}

const problem = (field: string, message: string): Problem => ({ field, message });

/** The field a label is reported under: `name` for the metric name, `labels.<name>` otherwise. */
export function labelField(name: string): string {
  return name === METRIC_NAME ? 'name' : `labels.${name}`;
}

/**
 * True when `s` is well-formed UTF-16 (no lone surrogate), so that it round-trips through UTF-8.
 * A lone surrogate would be stored as U+FFFD after a restart and merge with another series.
 */
export function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Checks a metric name. */
export function checkMetricName(name: string, limits: IngestLimits): Problem | null {
  if (name === '') return problem('name', 'is required and must be a non-empty string');
  if (name.length > limits.maxNameLength)
    return problem(
      'name',
      `is ${name.length} characters long (limit ${limits.maxNameLength}, --max-name-length)`,
    );
  if (!isValidMetricName(name))
    return problem(
      'name',
      `${JSON.stringify(name)} is not a valid metric name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)`,
    );
  return null;
}

/** Checks a label name (not `__name__`). */
export function checkLabelName(name: string, limits: IngestLimits): Problem | null {
  const field = labelField(name);
  if (name.length > limits.maxNameLength)
    return problem(
      field,
      `label name is ${name.length} characters long (limit ${limits.maxNameLength}, --max-name-length)`,
    );
  if (!isValidLabelName(name))
    return problem(
      field,
      `${JSON.stringify(name)} is not a valid label name (must match [a-zA-Z_][a-zA-Z0-9_]*)`,
    );
  if (isReservedLabelName(name)) return problem(field, 'label names starting with "__" are reserved');
  return null;
}

/** Checks a label value. */
export function checkLabelValue(name: string, value: string, limits: IngestLimits): Problem | null {
  if (value.length > limits.maxLabelValueLength)
    return problem(
      labelField(name),
      `value is ${value.length} characters long (limit ${limits.maxLabelValueLength}, --max-label-value-length)`,
    );
  if (!isWellFormed(value))
    return problem(
      labelField(name),
      'value is not valid Unicode (it holds a lone surrogate such as \\ud800)',
    );
  return null;
}

/**
 * Checks a whole label set (`__name__` included, any order). Names already known valid may be
 * skipped through `known` (a per-request cache: the regexp test is the costly part).
 */
export function checkLabels(
  labels: readonly Label[],
  limits: IngestLimits,
  known?: Set<string>,
): Problem | null {
  let count = 0;
  let hasName = false;
  for (const l of labels) {
    if (l.name === METRIC_NAME) {
      hasName = true;
      if (known === undefined || !known.has(`\xff${l.value}`)) {
        const p = checkMetricName(l.value, limits);
        if (p !== null) return p;
        known?.add(`\xff${l.value}`);
      }
      continue;
    }
    count++;
    if (known === undefined || !known.has(l.name)) {
      const p = checkLabelName(l.name, limits);
      if (p !== null) return p;
      known?.add(l.name);
    }
    const p = checkLabelValue(l.name, l.value, limits);
    if (p !== null) return p;
  }
  if (!hasName) return problem('name', 'is required (every series needs a metric name)');
  if (count > limits.maxLabelsPerSeries)
    return problem(
      'labels',
      `has ${count} labels (limit ${limits.maxLabelsPerSeries}, --max-labels-per-series)`,
    );
  return null;
}

/** Checks that a timestamp (ms) is an integer a query can read back. */
export function checkTimestamp(t: number): Problem | null {
  if (Number.isInteger(t) && t >= MIN_TIMESTAMP_MS && t <= MAX_TIMESTAMP_MS) return null;
  return problem(
    'timestamp',
    `${t} ms is outside the range a query can read (${MIN_TIMESTAMP_MS} to ${MAX_TIMESTAMP_MS} ms: 1970-01-01T00:00:00Z to 2262-04-11T23:47:16Z)`,
  );
}

/** Checks help and unit of a metric family. */
export function checkMetadata(meta: MetricMetadata, limits: IngestLimits): Problem | null {
  if (meta.help.length > limits.maxHelpLength)
    return problem(
      'help',
      `is ${meta.help.length} characters long (limit ${limits.maxHelpLength}, --max-help-length)`,
    );
  if (!isWellFormed(meta.help)) return problem('help', 'is not valid Unicode (it holds a lone surrogate)');
  if (meta.unit.length > limits.maxUnitLength)
    return problem(
      'unit',
      `is ${meta.unit.length} characters long (limit ${limits.maxUnitLength}, --max-unit-length)`,
    );
  if (!isWellFormed(meta.unit)) return problem('unit', 'is not valid Unicode (it holds a lone surrogate)');
  return null;
}
