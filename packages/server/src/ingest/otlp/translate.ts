/**
 * OTLP metrics ({@link OtlpRequest}) translated into Prometheus series as Prometheus 3.x does
 * (otlptranslator/prometheusremotewrite): point attributes become labels; `service.name` becomes
 * `job` (prefixed by `service.namespace/` when set) and, TinyObs' own convention, `service`;
 * `service.instance.id` becomes `instance`; the other resource attributes go on one `target_info`
 * series per resource. Gauges and sums become one series; histograms `_bucket{le}` (cumulative,
 * with `+Inf`), `_sum`, `_count`; exponential histograms are converted to classic buckets at their
 * own bucket boundaries (TinyObs stores no native histograms); summaries `{quantile}`, `_sum`,
 * `_count`. Delta temporality is accumulated into cumulative series ({@link DeltaState}).
 * A point flagged "no recorded value" becomes a staleness marker. With
 * {@link OtlpOptions.promoteScopeMetadata} (Prometheus' `otlp.promote_scope_metadata`), every
 * series of a named scope gets `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url`
 * and `otel_scope_<attribute>` labels (not `target_info`, which describes the resource). Invalid
 * points are counted and described (OTLP's `partial_success`); the valid ones are kept.
 */

import { type Label, METRIC_NAME } from '../../model/labels.js';
import { type MetricType, STALE_NAN } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';
import type { DeltaState } from '../series/delta.js';
import { formatLe } from '../series/le.js';
import { checkMetricName, type Problem } from '../validate.js';
import {
  type Attribute,
  type DataPoint,
  DELTA,
  type ExpHistogramPoint,
  FLAG_NO_RECORDED_VALUE,
  type HistogramPoint,
  type OtlpMetric,
  type OtlpRequest,
  type ScopeMetrics,
} from './model.js';
import { labelName, metricName, unitWord } from './names.js';

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

/** How OTLP is mapped to series (settings). */
export interface OtlpOptions {
  /**
   * The instrumentation scope as labels: `otel_scope_name`, `otel_scope_version`,
   * `otel_scope_schema_url` and `otel_scope_<attribute>` on every series of a scope with a name,
   * as Prometheus does with `otlp.promote_scope_metadata: true` (its default is false; the OTel
   * specification wants the scope to identify series, so two libraries' same-named metrics stay
   * apart). `--otlp-promote-scope-metadata`.
   */
  readonly promoteScopeMetadata: boolean;
}

/**
 * Translates a decoded request into a batch (refused points in `batch.issues`, `where` naming the
 * point as `resourceMetrics[i].scopeMetrics[j].metrics[k].dataPoints[n]`). `now` (ms) stands in
 * for points without a time.
 */
export function translateOtlp(
  req: OtlpRequest,
  limits: IngestLimits,
  deltas: DeltaState,
  now: number,
  options: OtlpOptions,
): SampleBatch {
  const tr = new Translator(limits, deltas, now, options);
  for (let ri = 0; ri < req.resourceMetrics.length; ri++) tr.resource(ri, req.resourceMetrics[ri]!);
  tr.batch.total = tr.points;
  return tr.batch;
}

/** One output sample of a point, before its series is added. */
interface Out {
  readonly labels: Label[];
  readonly v: number;
}

class Translator {
  readonly batch: SampleBatch;
  points = 0;
  /** Labels every point of the current resource gets (job, instance, service). */
  private resourceLabels: Label[] = [];
  /** Labels every point of the current scope gets (`otel_scope_*`), before the resource's. */
  private scopeLabels: Label[] = [];
  private where = '';

  constructor(
    private readonly limits: IngestLimits,
    private readonly deltas: DeltaState,
    private readonly now: number,
    private readonly options: OtlpOptions,
  ) {
    this.batch = new SampleBatch(limits);
  }

  resource(ri: number, rm: OtlpRequest['resourceMetrics'][number]): void {
    const attr = (k: string): string => rm.resource.find((a) => a.key === k)?.value ?? '';
    const service = attr('service.name');
    const namespace = attr('service.namespace');
    this.resourceLabels = [];
    if (service !== '') {
      this.resourceLabels.push({
        name: 'job',
        value: namespace === '' ? service : `${namespace}/${service}`,
      });
      this.resourceLabels.push({ name: 'service', value: service });
    }
    const instance = attr('service.instance.id');
    if (instance !== '') this.resourceLabels.push({ name: 'instance', value: instance });
    let latest = -1;
    for (let si = 0; si < rm.scopes.length; si++) {
      this.scopeLabels = this.options.promoteScopeMetadata ? scopeLabels(rm.scopes[si]!) : [];
      const metrics = rm.scopes[si]!.metrics;
      for (let mi = 0; mi < metrics.length; mi++) {
        this.where = `resourceMetrics[${ri}].scopeMetrics[${si}].metrics[${mi}]`;
        latest = Math.max(latest, this.metric(metrics[mi]!));
      }
    }
    this.scopeLabels = [];
    const info = rm.resource.filter((a) => !IDENTIFYING.has(a.key));
    if (info.length > 0 && latest >= 0) {
      this.where = `resourceMetrics[${ri}].resource`;
      const out: Out[] = [{ labels: this.labels('target_info', info, []), v: 1 }];
      const p = this.store(out, latest, false);
      if (p !== null) this.batch.refuse(this.where, p);
      else this.batch.setMetadata('target_info', { type: 'gauge', help: 'Target metadata', unit: '' });
    }
  }

  /** Translates one metric; returns the latest time among its stored points (-1 if none). */
  private metric(m: OtlpMetric): number {
    const name = metricName(m);
    let latest = -1;
    if (m.kind === 'none') {
      this.points++;
      this.batch.refuse(this.where, {
        field: '',
        message: `metric ${JSON.stringify(m.name)} has no data (gauge, sum, histogram, …)`,
      });
      return latest;
    }
    const bad = checkMetricName(name, this.limits);
    const delta = m.temporality === DELTA && m.kind !== 'gauge' && m.kind !== 'summary';
    for (let pi = 0; pi < m.points.length; pi++) {
      this.points++;
      const p = m.points[pi]!;
      const where = `${this.where}.dataPoints[${pi}]`;
      if (bad !== null) {
        this.batch.refuse(where, bad);
        continue;
      }
      const t = p.timeMs === 0 ? this.now : p.timeMs;
      if (!Number.isFinite(t) || !Number.isFinite(p.startMs)) {
        this.batch.refuse(where, { field: 'timeUnixNano', message: 'is not a time in nanoseconds' });
        continue;
      }
      const problem = pointProblem(p);
      if (problem !== null) {
        this.batch.refuse(where, { field: '', message: problem });
        continue;
      }
      const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
      const err = this.store(this.outputs(name, p), t, delta && !stale, stale);
      if (err !== null) this.batch.refuse(where, err);
      else latest = Math.max(latest, t);
    }
    const meta = { type: typeOf(m), help: m.description, unit: unitWord(m.unit.split('/')[0] ?? '') };
    const p = this.batch.setMetadata(name, meta);
    if (p !== null) this.batch.refuse(this.where, p);
    return latest;
  }

  /** The output series and values of one point. */
  private outputs(name: string, p: DataPoint): Out[] {
    const attrs = p.attributes;
    switch (p.type) {
      case 'number':
        return [{ labels: this.labels(name, attrs, []), v: p.value }];
      case 'histogram':
      case 'exponential_histogram': {
        const buckets = p.type === 'histogram' ? classicBuckets(p) : expBuckets(p);
        const out: Out[] = buckets.map(([le, c]) => ({
          labels: this.labels(`${name}_bucket`, attrs, [{ name: 'le', value: le }]),
          v: c,
        }));
        out.push({ labels: this.labels(`${name}_count`, attrs, []), v: p.count });
        if (!Number.isNaN(p.sum)) out.push({ labels: this.labels(`${name}_sum`, attrs, []), v: p.sum });
        return out;
      }
      case 'summary': {
        const out: Out[] = p.quantiles.map((q) => ({
          labels: this.labels(name, attrs, [{ name: 'quantile', value: formatLe(q.quantile) }]),
          v: q.value,
        }));
        out.push({ labels: this.labels(`${name}_count`, attrs, []), v: p.count });
        out.push({ labels: this.labels(`${name}_sum`, attrs, []), v: p.sum });
        return out;
      }
    }
  }

  /**
   * The label set of one output series: attributes, then the scope's labels, the resource's and
   * `extra`, each overriding a label of the same name before it (Prometheus' order).
   */
  private labels(name: string, attrs: Attribute[], extra: Label[]): Label[] {
    const pairs = attributeLabels(attrs);
    for (const l of this.scopeLabels) setLabel(pairs, l.name, l.value);
    for (const l of this.resourceLabels) setLabel(pairs, l.name, l.value);
    for (const l of extra) setLabel(pairs, l.name, l.value);
    pairs.push({ name: METRIC_NAME, value: name });
    return pairs;
  }

  /**
   * Stores the samples of one point, all or none: every series is checked before any sample is
   * added, and delta points are accumulated only once all of them are valid.
   */
  private store(out: Out[], t: number, delta: boolean, stale = false): Problem | null {
    const idx: number[] = [];
    for (const o of out) {
      const s = this.batch.addSeries(o.labels);
      if (typeof s !== 'number') return s;
      idx.push(s);
    }
    // A Float64Array: a plain array of doubles may canonicalise the staleness marker's NaN.
    const values = new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) values[i] = stale ? STALE_NAN : out[i]!.v;
    if (delta) {
      for (let i = 0; i < out.length; i++) {
        const total = this.deltas.add(out[i]!.labels, t, values[i]!);
        if (total === null) {
          return {
            field: 'timeUnixNano',
            message: 'delta point not newer than the last one of its series (repeated export?)',
          };
        }
        values[i] = total;
      }
    }
    for (let i = 0; i < idx.length; i++) {
      const p = this.batch.add(idx[i]!, t, values[i]!);
      if (p !== null) return p;
    }
    return null;
  }
}

/**
 * Attributes as labels: names made valid; attributes whose names collide after that are joined
 * with `;` in key order, as Prometheus does.
 */
function attributeLabels(attrs: Attribute[]): Label[] {
  const out: Label[] = [];
  if (attrs.length === 0) return out;
  const sorted =
    attrs.length > 1 ? [...attrs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : attrs;
  for (const a of sorted) {
    const name = labelName(a.key);
    const i = out.findIndex((l) => l.name === name);
    if (i < 0) out.push({ name, value: a.value });
    else out[i] = { name, value: `${out[i]!.value};${a.value}` };
  }
  return out;
}

/**
 * A scope's labels as Prometheus' createAttributes makes them: none for a scope without a name;
 * attribute names prefixed with `otel_scope_` and then made valid. Empty values (no version, no
 * schema URL) are absent labels.
 */
function scopeLabels(scope: ScopeMetrics): Label[] {
  if (scope.name === '') return [];
  const out: Label[] = [
    { name: 'otel_scope_name', value: scope.name },
    { name: 'otel_scope_version', value: scope.version },
    { name: 'otel_scope_schema_url', value: scope.schemaUrl },
  ];
  for (const a of scope.attributes) setLabel(out, labelName(`otel_scope_${a.key}`), a.value);
  return out;
}

function setLabel(pairs: Label[], name: string, value: string): void {
  const i = pairs.findIndex((l) => l.name === name);
  if (i < 0) pairs.push({ name, value });
  else pairs[i] = { name, value };
}

function typeOf(m: OtlpMetric): MetricType {
  switch (m.kind) {
    case 'sum':
      return m.monotonic ? 'counter' : 'gauge';
    case 'histogram':
    case 'exponential_histogram':
      return 'histogram';
    case 'summary':
      return 'summary';
    default:
      return 'gauge';
  }
}

/** Why a point cannot be translated, or null. */
function pointProblem(p: DataPoint): string | null {
  if (p.invalid !== undefined) return p.invalid;
  switch (p.type) {
    case 'number':
      return null;
    case 'histogram': {
      if (!Number.isFinite(p.count) || p.count < 0) return 'count is not a non-negative integer';
      if (p.bucketCounts.length > 0 && p.bucketCounts.length !== p.bounds.length + 1) {
        return `has ${p.bucketCounts.length} bucket counts for ${p.bounds.length} explicit bounds (must be bounds + 1)`;
      }
      for (let i = 1; i < p.bounds.length; i++) {
        if (!(p.bounds[i]! > p.bounds[i - 1]!)) return 'explicitBounds must be strictly increasing';
      }
      if (p.bounds.some(Number.isNaN)) return 'explicitBounds must be numbers';
      if (p.bucketCounts.some((c) => !Number.isFinite(c) || c < 0))
        return 'bucketCounts must be non-negative integers';
      return null;
    }
    case 'exponential_histogram': {
      if (!Number.isFinite(p.count) || p.count < 0) return 'count is not a non-negative integer';
      if (!Number.isInteger(p.scale) || p.scale < -10 || p.scale > 20)
        return `scale ${p.scale} is outside -10…20`;
      const all = [...p.positive.counts, ...p.negative.counts, p.zeroCount];
      if (all.some((c) => !Number.isFinite(c) || c < 0)) return 'bucket counts must be non-negative integers';
      if (p.positive.counts.length + p.negative.counts.length > MAX_EXP_BUCKETS) {
        return `has more than ${MAX_EXP_BUCKETS} buckets`;
      }
      return null;
    }
    case 'summary':
      if (!Number.isFinite(p.count) || p.count < 0) return 'count is not a non-negative integer';
      if (p.quantiles.some((q) => !(q.quantile >= 0 && q.quantile <= 1)))
        return 'quantiles must be within 0…1';
      return null;
  }
}

const MAX_EXP_BUCKETS = 320;

/** Cumulative `[le, count]` pairs of an explicit-bounds histogram, `+Inf` last (= count). */
function classicBuckets(p: HistogramPoint): [string, number][] {
  const out: [string, number][] = [];
  let acc = 0;
  for (let i = 0; i < p.bounds.length && i < p.bucketCounts.length; i++) {
    acc += p.bucketCounts[i]!;
    out.push([formatLe(p.bounds[i]!), acc]);
  }
  out.push(['+Inf', p.count]);
  return out;
}

/**
 * Cumulative `[le, count]` pairs of an exponential histogram: bucket i at scale s covers
 * (base^i, base^(i+1)] with base = 2^(2^-s); negative buckets mirror them below zero, and the zero
 * bucket ends at the zero threshold.
 */
function expBuckets(p: ExpHistogramPoint): [string, number][] {
  const out: [string, number][] = [];
  const bound = (i: number): number => 2 ** (i * 2 ** -p.scale);
  let acc = 0;
  const neg = p.negative;
  for (let k = neg.counts.length - 1; k >= 0; k--) {
    acc += neg.counts[k]!;
    out.push([formatLe(-bound(neg.offset + k)), acc]);
  }
  acc += p.zeroCount;
  if (p.zeroCount > 0 || neg.counts.length > 0) out.push([formatLe(p.zeroThreshold), acc]);
  const pos = p.positive;
  for (let k = 0; k < pos.counts.length; k++) {
    acc += pos.counts[k]!;
    out.push([formatLe(bound(pos.offset + k + 1)), acc]);
  }
  out.push(['+Inf', p.count]);
  return out;
}
