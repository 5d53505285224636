/**
 * The native TinyObs JSON format, wire-compatible with the original Go SDK:
 *
 *   {"metrics":[{"name":"http_requests_total","type":"counter","value":42,
 *                "labels":{"service":"api"},"timestamp":"2025-11-18T12:34:56.123456789Z"}]}
 *
 * A pure function from the request text to a {@link SampleBatch}. Structural problems (not JSON,
 * no `metrics` array, too many metrics) throw an {@link IngestError}; a bad point is recorded in
 * `batch.issues` as `metrics[i]` and skipped, so the good points of the same request are kept.
 */

import { type Label, METRIC_NAME } from '../../model/labels.js';
import type { MetricMetadata, MetricType } from '../../model/sample.js';
import { SampleBatch, tooManySamples } from '../batch.js';
import { DeltaHistograms } from '../deltahist/cumulate.js';
import { IngestError } from '../errors.js';
import type { IngestLimits } from '../limits.js';
import type { DeltaState } from '../series/delta.js';
import { checkMetadata, type Problem } from '../validate.js';
import { parseRfc3339 } from './timestamp.js';

const TYPES: ReadonlySet<string> = new Set(['counter', 'gauge', 'histogram']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
export const SPECIAL_VALUES: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  '+Inf': Number.POSITIVE_INFINITY,
  Inf: Number.POSITIVE_INFINITY,
  '-Inf': Number.NEGATIVE_INFINITY,
};

/** A point-level refusal found by this parser (the batch reports the shared rules as Problems). */
class PointError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses a native ingest request body. `now` (ms) stands in for missing or zero timestamps.
 * With `histograms`, a body that does not declare `"temporality": "cumulative"` (what the original
 * Go SDK sends: per-flush histogram deltas) has its histogram points made cumulative through that
 * state (see ingest/deltahist/).
 */
export function parseJsonIngest(
  text: string,
  limits: IngestLimits,
  now: number,
  histograms?: DeltaState,
): SampleBatch {
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
  if (metrics.length > limits.maxSamplesPerRequest) throw tooManySamples(metrics.length, limits);
  const batch = new SampleBatch(limits);
  batch.total = metrics.length;
  const cumulative = (body as { temporality?: unknown }).temporality === 'cumulative';
  const deltas = histograms === undefined || cumulative ? null : new DeltaHistograms(histograms);
  for (let i = 0; i < metrics.length; i++) readPoint(metrics[i], now, batch, i, deltas);
  deltas?.finish(batch);
  return batch;
}

/** Where a stored point went: its series index in the batch, its family and type. */
export interface StoredPoint {
  readonly s: number;
  readonly family: string;
  readonly type: MetricType;
}

/**
 * Validates and adds one point (a parsed JSON value) to the batch, or records why it is refused
 * as `metrics[index]`. The rules of the format live here; the fast scanner (scan.ts) uses this
 * for every point it does not take its shortcut for, so both paths give the same answers.
 */
export function readPoint(
  raw: unknown,
  now: number,
  batch: SampleBatch,
  index: number,
  deltas: DeltaHistograms | null = null,
): StoredPoint | null {
  try {
    return settle(parsePoint(raw, now, batch, deltas), batch, index);
  } catch (err) {
    return refused(err, batch, index);
  }
}

/** A point's fields, read and typed (what {@link parsePoint} takes out of a parsed object). */
export interface PointFields {
  readonly name: string;
  readonly type: MetricType;
  readonly value: number;
  readonly t: number;
  /** The `labels` object's pairs, in any order, each name once; `__name__` is added here. */
  readonly pairs: Label[];
  readonly help: string;
  readonly unit: string;
}

/**
 * Like {@link readPoint} for a point whose fields were read without making the object JSON.parse
 * would have made (the fast scanner's new series): the same rules from there on.
 */
export function readPointFields(f: PointFields, batch: SampleBatch, index: number): StoredPoint | null {
  try {
    return settle(storePoint(f, batch, null), batch, index);
  } catch (err) {
    return refused(err, batch, index);
  }
}

function settle(r: StoredPoint | Problem, batch: SampleBatch, index: number): StoredPoint | null {
  if ('s' in r) return r;
  batch.refuse(`metrics[${index}]`, r);
  return null;
}

function refused(err: unknown, batch: SampleBatch, index: number): null {
  if (!(err instanceof PointError)) throw err;
  batch.refuse(`metrics[${index}]`, { field: err.field, message: err.message });
  return null;
}

/**
 * The metadata a point declares, checked: null when it declares nothing new for its family (a
 * point without type, help or unit must not overwrite what an earlier push declared).
 */
export function declaredMetadata(
  batch: SampleBatch,
  family: string,
  type: MetricType,
  help: string,
  unit: string,
): MetricMetadata | Problem | null {
  if (type === 'unknown' && help === '' && unit === '') return null;
  const old = batch.metadata.get(family);
  if (old !== undefined && old.type === type && help === '' && unit === '') return null;
  const meta = { type, help: help || old?.help || '', unit: unit || old?.unit || '' };
  return checkMetadata(meta, batch.limits) ?? meta;
}

function parsePoint(
  raw: unknown,
  now: number,
  batch: SampleBatch,
  deltas: DeltaHistograms | null,
): StoredPoint | Problem {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PointError('', 'must be an object');
  }
  const p = raw as Record<string, unknown>;
  const name = p.name;
  if (typeof name !== 'string' || name === '')
    throw new PointError('name', 'is required and must be a string');
  const type = parseType(p.type);
  const value = parseValue(p.value);
  const t = parseTimestamp(p.timestamp, now);
  const pairs = parseLabels(p.labels);
  const help = typeof p.help === 'string' ? p.help : '';
  const unit = typeof p.unit === 'string' ? p.unit : '';
  return storePoint({ name, type, value, t, pairs, help, unit }, batch, deltas);
}

/** The rules of a point from its typed fields on: family, series, metadata, sample. */
function storePoint(
  f: PointFields,
  batch: SampleBatch,
  deltas: DeltaHistograms | null,
): StoredPoint | Problem {
  const { name, type, t, pairs, help, unit } = f;
  let value = f.value;
  const family = familyName(name, type, pairs);
  pairs.push({ name: METRIC_NAME, value: name });
  const s = batch.addSeries(pairs);
  if (typeof s !== 'number') return s;
  // Checked before the sample is added, so that a refused point stores nothing.
  const meta = declaredMetadata(batch, family, type, help, unit);
  if (meta !== null && 'field' in meta) return meta;
  // Last before storing: the delta state must only move for points that are kept.
  if (deltas !== null && type === 'histogram') {
    const total = deltas.add(pairs, family, t, value);
    if (total === null)
      return { field: 'timestamp', message: 'is older than the last push of this histogram series' };
    value = total;
  }
  const bad = batch.add(s, t, value);
  if (bad !== null) return bad;
  if (meta !== null) batch.setMetadata(family, meta);
  return { s, family, type };
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
  if (typeof raw === 'string' && Object.hasOwn(SPECIAL_VALUES, raw)) return SPECIAL_VALUES[raw]!;
  throw new PointError('value', 'is required and must be a number (or "NaN", "+Inf", "-Inf")');
}

/** The time of a numeric timestamp (ms; 0 means "now"); throws for a non-finite number. */
export function numericTimestamp(raw: number, now: number): number {
  if (!Number.isFinite(raw)) throw new PointError('timestamp', 'must be a finite number of milliseconds');
  return raw === 0 ? now : Math.trunc(raw);
}

function parseTimestamp(raw: unknown, now: number): number {
  if (raw === undefined || raw === null) return now;
  if (typeof raw === 'number') return numericTimestamp(raw, now);
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

function parseLabels(raw: unknown): Label[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new PointError('labels', 'must be an object of strings');
  const out: Label[] = [];
  const record = raw as Record<string, unknown>;
  for (const name in record) {
    const value = record[name];
    if (typeof value !== 'string') throw new PointError(`labels.${name}`, 'label values must be strings');
    out.push({ name, value });
  }
  return out;
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
