/**
 * OTLP metrics ({@link OtlpRequest}) translated into Prometheus series as Prometheus 3.x does
 * (otlptranslator/prometheusremotewrite): point attributes become labels; `service.name` becomes
 * `job` (prefixed by `service.namespace/` when set) and, TinyObs' own convention, `service`;
 * `service.instance.id` becomes `instance`; the other resource attributes go on one `target_info`
 * series per resource. Gauges and sums become one series; histograms `_bucket{le}` (cumulative,
 * with `+Inf`), `_sum`, `_count`; exponential histograms are converted to classic buckets at their
 * own bucket boundaries (TinyObs stores no native histograms); summaries `{quantile}`, `_sum`,
 * `_count`. Delta temporality is accumulated into cumulative series ({@link DeltaState}).
 * A point flagged "no recorded value" becomes a staleness marker. Invalid points are counted and
 * described (OTLP's `partial_success`); the valid ones are kept.
 */

import { type Label, labelsKey, METRIC_NAME } from '../../model/labels.js';
import { type MetricType, STALE_NAN } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';
import { formatLe, type ParsedPush, type PointIssue, SeriesChecker } from '../series/check.js';
import type { DeltaState } from '../series/delta.js';
import {
  type Attribute,
  type DataPoint,
  DELTA,
  type ExpHistogramPoint,
  FLAG_NO_RECORDED_VALUE,
  type HistogramPoint,
  type OtlpMetric,
  type OtlpRequest,
} from './model.js';
import { labelName, metricName, unitWord } from './names.js';

const IDENTIFYING = new Set(['service.name', 'service.namespace', 'service.instance.id']);

/** Translates a decoded request. `now` (ms) stands in for points without a time. */
export function translateOtlp(
  req: OtlpRequest,
  limits: IngestLimits,
  deltas: DeltaState,
  now: number,
): ParsedPush {
  const tr = new Translator(limits, deltas, now);
  for (let ri = 0; ri < req.resourceMetrics.length; ri++) tr.resource(ri, req.resourceMetrics[ri]!);
  return { total: tr.points, batch: tr.batch, issues: tr.issues };
}

class Translator {
  readonly batch = new SampleBatch();
  readonly issues: PointIssue[] = [];
  points = 0;
  private readonly check: SeriesChecker;
  /** Labels every point of the current resource gets (job, instance, service). */
  private resourceLabels: Label[] = [];
  private where = '';

  constructor(
    limits: IngestLimits,
    private readonly deltas: DeltaState,
    private readonly now: number,
  ) {
    this.check = new SeriesChecker(limits);
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
      const metrics = rm.scopes[si]!.metrics;
      for (let mi = 0; mi < metrics.length; mi++) {
        this.where = `resourceMetrics[${ri}].scopeMetrics[${si}].metrics[${mi}]`;
        latest = Math.max(latest, this.metric(metrics[mi]!));
      }
    }
    const info = rm.resource.filter((a) => !IDENTIFYING.has(a.key));
    if (info.length > 0 && latest >= 0) {
      this.where = `resourceMetrics[${ri}].resource`;
      this.emit(-1, 'target_info', info, [], latest, 1, false, false);
      this.batch.metadata.set('target_info', { type: 'gauge', help: 'Target metadata', unit: '' });
    }
  }

  /** Translates one metric; returns the latest time among its stored points (-1 if none). */
  private metric(m: OtlpMetric): number {
    const name = metricName(m);
    let latest = -1;
    if (m.kind === 'none') {
      this.issue(
        this.points++,
        '',
        `metric ${JSON.stringify(m.name)} has no data (gauge, sum, histogram, …)`,
      );
      return latest;
    }
    const bad = this.check.metricName(name);
    const delta = m.temporality === DELTA && m.kind !== 'gauge' && m.kind !== 'summary';
    for (let pi = 0; pi < m.points.length; pi++) {
      const index = this.points++;
      const p = m.points[pi]!;
      const field = `dataPoints[${pi}]`;
      if (bad !== null) {
        this.issue(index, field, bad);
        continue;
      }
      const t = p.timeMs === 0 ? this.now : p.timeMs;
      if (!Number.isFinite(t) || !Number.isFinite(p.startMs)) {
        this.issue(index, `${field}.timeUnixNano`, 'is not a time in nanoseconds');
        continue;
      }
      const problem = pointProblem(p);
      if (problem !== null) {
        this.issue(index, field, problem);
        continue;
      }
      const first = this.batch.length;
      const stale = (p.flags & FLAG_NO_RECORDED_VALUE) !== 0;
      const ok = this.point(index, name, p, t, stale, delta);
      if (!ok) this.batch.truncate(first);
      else latest = Math.max(latest, t);
    }
    this.batch.metadata.set(name, {
      type: typeOf(m),
      help: m.description,
      unit: unitWord(m.unit.split('/')[0] ?? ''),
    });
    return latest;
  }

  /** Emits the samples of one point; false (samples to be taken back) when one was refused. */
  private point(index: number, name: string, p: DataPoint, t: number, stale: boolean, d: boolean): boolean {
    const attrs = p.attributes;
    switch (p.type) {
      case 'number':
        return this.emit(index, name, attrs, [], t, p.value, d, stale);
      case 'histogram':
      case 'exponential_histogram': {
        const buckets = p.type === 'histogram' ? classicBuckets(p) : expBuckets(p);
        for (const [le, c] of buckets) {
          if (!this.emit(index, `${name}_bucket`, attrs, [{ name: 'le', value: le }], t, c, d, stale))
            return false;
        }
        if (!this.emit(index, `${name}_count`, attrs, [], t, p.count, d, stale)) return false;
        if (!Number.isNaN(p.sum) && !this.emit(index, `${name}_sum`, attrs, [], t, p.sum, d, stale))
          return false;
        return true;
      }
      case 'summary':
        for (const q of p.quantiles) {
          const extra = [{ name: 'quantile', value: String(q.quantile) }];
          if (!this.emit(index, name, attrs, extra, t, q.value, false, stale)) return false;
        }
        return (
          this.emit(index, `${name}_count`, attrs, [], t, p.count, false, stale) &&
          this.emit(index, `${name}_sum`, attrs, [], t, p.sum, false, stale)
        );
    }
  }

  /** Builds and checks one series and appends its sample; false (with an issue) when refused. */
  private emit(
    index: number,
    name: string,
    attrs: Attribute[],
    extra: Label[],
    t: number,
    v: number,
    delta: boolean,
    stale: boolean,
  ): boolean {
    const pairs = attributeLabels(attrs);
    for (const l of this.resourceLabels) setLabel(pairs, l.name, l.value);
    for (const l of extra) setLabel(pairs, l.name, l.value);
    pairs.push({ name: METRIC_NAME, value: name });
    const bad = this.check.check(pairs);
    if (bad !== null) {
      this.issue(index, bad.field, bad.message);
      return false;
    }
    let value = stale ? STALE_NAN : v;
    if (delta && !stale) {
      const total = this.deltas.add(labelsKey(pairs), t, v);
      if (total === null) {
        this.issue(
          index,
          'timeUnixNano',
          'delta point not newer than the last one of its series (repeated export?)',
        );
        return false;
      }
      value = total;
    }
    this.batch.push(pairs, t, value);
    return true;
  }

  private issue(index: number, field: string, message: string): void {
    if (index < 0) return;
    const at = field === '' ? this.where : `${this.where}.${field}`;
    this.issues.push({ index, field: at, message });
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
