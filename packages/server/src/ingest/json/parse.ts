/**
 * The native TinyObs JSON format, wire-compatible with the original Go SDK:
 *
 *   {"metrics":[{"name":"http_requests_total","type":"counter","value":42,
 *                "labels":{"service":"api"},"timestamp":"2025-11-18T12:34:56.123456789Z"}]}
 *
 * A pure function from the request text to a {@link SampleBatch}. Structural problems (not JSON,
 * no `metrics` array, too many metrics) throw an {@link IngestError}; a bad point is reported in
 * `issues` and skipped, so the good points of the same request are kept.
 */

import { type Label, METRIC_NAME } from '../../model/labels.js';
import { isReservedLabelName, isValidLabelName, isValidMetricName } from '../../model/names.js';
import type { MetricMetadata, MetricType } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import { IngestError } from '../errors.js';
import type { IngestLimits } from '../limits.js';
import { parseRfc3339 } from './timestamp.js';

/** One rejected point: where it is in the request and which rule it broke. */
export interface IngestIssue {
  readonly index: number;
  /** `name`, `labels.service`, `value`, … */
  readonly field: string;
  readonly message: string;
}

export interface ParsedJson {
  /** Points in the request, valid or not. */
  readonly total: number;
  readonly batch: SampleBatch;
  readonly issues: IngestIssue[];
}

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
const SPECIAL_VALUES: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  '+Inf': Number.POSITIVE_INFINITY,
  Inf: Number.POSITIVE_INFINITY,
  '-Inf': Number.NEGATIVE_INFINITY,
};

/**
 * Names already validated in this request: a batch repeats a few metric and label names many
 * times, and the regexp tests are the most expensive part of validating a point.
 */
interface NameCache {
  readonly metrics: Set<string>;
  readonly labels: Set<string>;
}

class PointError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a native ingest request body. `now` (ms) stands in for missing or zero timestamps. */
export function parseJsonIngest(text: string, limits: IngestLimits, now: number): ParsedJson {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new IngestError(
      'bad_request',
      `cannot parse request body: invalid JSON: ${(err as Error).message}`,
    );
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { metrics?: unknown }).metrics)) {
    throw new IngestError('bad_request', 'cannot parse request body: field "metrics" must be an array');
  }
  const metrics = (body as { metrics: unknown[] }).metrics;
  if (metrics.length > limits.maxMetricsPerRequest) {
    throw new IngestError(
      'bad_request',
      `too many metrics in request: ${metrics.length} (limit ${limits.maxMetricsPerRequest}, --max-metrics-per-request)`,
    );
  }
  const batch = new SampleBatch();
  const issues: IngestIssue[] = [];
  const names: NameCache = { metrics: new Set(), labels: new Set() };
  // Within one request the last point for a series and timestamp wins: the Go SDK sends one point
  // per counter increment, and two increments in the same millisecond must not conflict.
  const seen = new Map<string, number>();
  for (let i = 0; i < metrics.length; i++) {
    try {
      parsePoint(metrics[i], limits, now, batch, seen, names);
    } catch (err) {
      if (!(err instanceof PointError)) throw err;
      issues.push({ index: i, field: err.field, message: err.message });
    }
  }
  return { total: metrics.length, batch, issues };
}

function parsePoint(
  raw: unknown,
  limits: IngestLimits,
  now: number,
  batch: SampleBatch,
  seen: Map<string, number>,
  names: NameCache,
): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PointError('', 'must be an object');
  }
  const p = raw as Record<string, unknown>;
  const name = p.name;
  if (typeof name !== 'string' || name === '')
    throw new PointError('name', 'is required and must be a string');
  if (!names.metrics.has(name)) {
    checkMetricName(name, limits);
    names.metrics.add(name);
  }
  const type = parseType(p.type);
  const value = parseValue(p.value);
  const t = parseTimestamp(p.timestamp, now);
  const pairs = parseLabels(p.labels, limits, names.labels);
  const family = familyName(name, type, pairs);
  pairs.push({ name: METRIC_NAME, value: name });
  sortByName(pairs);

  let key = '';
  for (const l of pairs) key += `${l.name}\xff${l.value}\xff`;
  key += t;
  const prev = seen.get(key);
  if (prev !== undefined) batch.replace(prev, t, value);
  else {
    seen.set(key, batch.length);
    batch.push(pairs, t, value);
  }
  const help = typeof p.help === 'string' ? p.help : '';
  const unit = typeof p.unit === 'string' ? p.unit : '';
  // A point without type, help or unit says nothing about its family: it must not overwrite
  // what an earlier push declared.
  if (type === 'unknown' && help === '' && unit === '') return;
  const old = batch.metadata.get(family);
  if (old === undefined || old.type !== type || help !== '' || unit !== '') {
    const meta: MetricMetadata = { type, help: help || old?.help || '', unit: unit || old?.unit || '' };
    batch.metadata.set(family, meta);
  }
}

function checkMetricName(name: string, limits: IngestLimits): void {
  if (name.length > limits.maxNameLength) {
    throw new PointError('name', `is ${name.length} characters long (limit ${limits.maxNameLength})`);
  }
  if (!isValidMetricName(name)) {
    throw new PointError(
      'name',
      `${JSON.stringify(name)} is not a valid metric name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)`,
    );
  }
}

/** Insertion sort: label sets are short, and this avoids the comparator calls of Array.sort. */
function sortByName(pairs: Label[]): void {
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

function parseType(raw: unknown): MetricType {
  if (raw === undefined || raw === null || raw === '') return 'unknown';
  if (typeof raw !== 'string' || !TYPES.has(raw)) {
    throw new PointError('type', `${JSON.stringify(raw)} is not one of "counter", "gauge", "histogram"`);
  }
  return raw as MetricType;
}

function parseValue(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw in SPECIAL_VALUES) return SPECIAL_VALUES[raw]!;
  throw new PointError('value', 'is required and must be a number (or "NaN", "+Inf", "-Inf")');
}

function parseTimestamp(raw: unknown, now: number): number {
  if (raw === undefined || raw === null) return now;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw new PointError('timestamp', 'must be a finite number of milliseconds');
    return raw === 0 ? now : Math.trunc(raw);
  }
  if (typeof raw === 'string') {
    const t = parseRfc3339(raw);
    if (t === null) {
      throw new PointError(
        'timestamp',
        `${JSON.stringify(raw)} is not an RFC 3339 time (e.g. 2025-11-18T12:34:56Z)`,
      );
    }
    return t === 0 ? now : t;
  }
  throw new PointError('timestamp', 'must be an RFC 3339 string or milliseconds since the epoch');
}

function parseLabels(raw: unknown, limits: IngestLimits, known: Set<string>): Label[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new PointError('labels', 'must be an object of strings');
  const out: Label[] = [];
  const record = raw as Record<string, unknown>;
  for (const name in record) {
    const value = record[name];
    if (typeof value !== 'string') throw new PointError(`labels.${name}`, 'label values must be strings');
    if (value.length > limits.maxLabelValueLength) {
      throw new PointError(
        `labels.${name}`,
        `value is ${value.length} characters long (limit ${limits.maxLabelValueLength})`,
      );
    }
    if (!known.has(name)) {
      checkLabelName(name, limits);
      known.add(name);
    }
    if (value !== '') out.push({ name, value });
  }
  if (out.length > limits.maxLabelsPerMetric) {
    throw new PointError('labels', `has ${out.length} labels (limit ${limits.maxLabelsPerMetric})`);
  }
  return out;
}

function checkLabelName(name: string, limits: IngestLimits): void {
  const field = `labels.${name}`;
  if (name.length > limits.maxNameLength) {
    throw new PointError(
      field,
      `label name is ${name.length} characters long (limit ${limits.maxNameLength})`,
    );
  }
  if (!isValidLabelName(name)) {
    throw new PointError(
      field,
      `${JSON.stringify(name)} is not a valid label name (must match [a-zA-Z_][a-zA-Z0-9_]*)`,
    );
  }
  if (isReservedLabelName(name)) throw new PointError(field, 'label names starting with "__" are reserved');
}

/**
 * The family a point belongs to, for metadata: a histogram point named `x_bucket`, `x_sum` or
 * `x_count` belongs to family `x`. A `_bucket` point needs an `le` label holding a number; its
 * text is normalised (`1.0` → `1`, `+inf` → `+Inf`) so that one bucket is one series.
 */
function familyName(name: string, type: MetricType, pairs: Label[]): string {
  if (type !== 'histogram') return name;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s) && name.length > s.length);
  if (suffix === undefined) {
    throw new PointError(
      'name',
      'histogram points must be named <name>_bucket (with an "le" label), <name>_sum or <name>_count',
    );
  }
  if (suffix === '_bucket') {
    const i = pairs.findIndex((l) => l.name === 'le');
    const le = i < 0 ? Number.NaN : parseBound(pairs[i]!.value);
    if (Number.isNaN(le))
      throw new PointError(
        'labels.le',
        'a histogram _bucket point needs an "le" label holding a number or "+Inf"',
      );
    pairs[i] = { name: 'le', value: formatBound(le) };
  }
  return name.slice(0, -suffix.length);
}

function parseBound(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return text.trim() === '' ? Number.NaN : Number(text);
}

function formatBound(le: number): string {
  if (le === Number.POSITIVE_INFINITY) return '+Inf';
  if (le === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(le);
}
