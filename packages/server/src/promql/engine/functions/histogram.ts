/**
 * histogram_quantile and histogram_fraction over classic histograms (`le`-labelled bucket
 * series), following Prometheus' quantile.go: buckets sorted by bound, equal bounds coalesced,
 * counts forced monotonic (tiny float differences ignored), `+Inf` bucket required.
 * The native-histogram-only functions (histogram_count, histogram_sum, …) return nothing for
 * float samples.
 */

import { type Labels, labelsKey, labelsWith, metricName } from '../../../model/labels.js';
import type { PosRange } from '../../parser/ast.js';
import { formatFloat } from '../quantile.js';
import type { Vector } from '../types.js';
import type { FnContext, FunctionDef } from './types.js';

interface Bucket {
  upper: number;
  count: number;
}

interface BucketGroup {
  metric: Labels;
  name: string;
  buckets: Bucket[];
}

/** Parses an `le` value as Go's strconv.ParseFloat would (plus Prometheus' `+Inf` spelling). */
function parseLe(s: string): number {
  const t = s.trim();
  if (t !== s || t === '') return Number.NaN;
  if (/^[+-]?inf(inity)?$/i.test(t))
    return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (
    !/^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) &&
    !/^[+-]?0[xX][0-9a-fA-F.]+([pP][+-]?\d+)?$/.test(t)
  ) {
    return Number.NaN;
  }
  return Number(t.replace(/_/g, ''));
}

/**
 * Groups bucket samples by their labels without `le`. The name stays in the key, so two
 * histograms that differ only by name collide when names are dropped (an error, as upstream).
 */
/** What a bucket series contributes, derived from its labels alone (so cached per label set). */
interface BucketInfo {
  readonly upper: number;
  readonly le: string;
  readonly metric: Labels;
  readonly key: string;
  readonly name: string;
}

/** Series keep their label arrays across steps and queries; the derivation is pure. */
const bucketInfo = new WeakMap<Labels, BucketInfo>();

function infoOf(ls: Labels): BucketInfo {
  let info = bucketInfo.get(ls);
  if (info === undefined) {
    const le = ls.find((l) => l.name === 'le');
    const metric = ls.filter((l) => l.name !== 'le');
    info = {
      upper: le === undefined ? Number.NaN : parseLe(le.value),
      le: le?.value ?? '',
      metric,
      key: labelsKey(metric),
      name: metricName(ls),
    };
    bucketInfo.set(ls, info);
  }
  return info;
}

function groupBuckets(vec: Vector, ctx: FnContext, argPos: PosRange): BucketGroup[] {
  const groups = new Map<string, BucketGroup>();
  for (const s of vec) {
    const info = infoOf(s.metric);
    if (Number.isNaN(info.upper)) {
      ctx.annotations.warn(
        `bucket label "le" is missing or has a malformed value of ${JSON.stringify(info.le)} for metric name ${JSON.stringify(info.name)}`,
        argPos,
      );
      continue;
    }
    let g = groups.get(info.key);
    if (g === undefined) {
      g = { metric: info.metric, name: info.name, buckets: [] };
      groups.set(info.key, g);
    }
    g.buckets.push({ upper: info.upper, count: s.f });
  }
  return [...groups.values()];
}

/** Sorts, coalesces equal bounds; returns null when there is no `+Inf` bucket. */
function prepare(buckets: Bucket[]): Bucket[] | null {
  buckets.sort((a, b) => a.upper - b.upper);
  if (buckets[buckets.length - 1]!.upper !== Number.POSITIVE_INFINITY) return null;
  const out: Bucket[] = [];
  for (const b of buckets) {
    const last = out[out.length - 1];
    if (last !== undefined && last.upper === b.upper) last.count += b.count;
    else out.push({ upper: b.upper, count: b.count });
  }
  return out;
}

function almostEqual(a: number, b: number, eps: number): boolean {
  if (a === b) return true;
  const sum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || sum < 2.2250738585072014e-308) return diff < eps * 2.2250738585072014e-308;
  return diff / Math.min(sum, Number.MAX_VALUE) < eps;
}

/** Removes decreases (returns true when one was forced) and float noise between buckets. */
function ensureMonotonic(buckets: Bucket[]): boolean {
  let forced = false;
  let prev = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const curr = buckets[i]!.count;
    if (curr === prev) continue;
    if (almostEqual(prev, curr, 1e-12)) {
      buckets[i]!.count = prev;
      continue;
    }
    if (curr < prev) {
      buckets[i]!.count = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  return forced;
}

function bucketQuantile(q: number, raw: Bucket[]): [number, boolean] {
  if (Number.isNaN(q)) return [Number.NaN, false];
  if (q < 0) return [Number.NEGATIVE_INFINITY, false];
  if (q > 1) return [Number.POSITIVE_INFINITY, false];
  const buckets = prepare(raw);
  if (buckets === null) return [Number.NaN, false];
  const forced = ensureMonotonic(buckets);
  if (buckets.length < 2) return [Number.NaN, forced];
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0 || Number.isNaN(observations)) return [Number.NaN, forced];
  let rank = q * observations;
  // First bucket (excluding +Inf) whose count reaches the rank.
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === buckets.length - 1) return [buckets[buckets.length - 2]!.upper, forced];
  if (b === 0 && buckets[0]!.upper <= 0) return [buckets[0]!.upper, forced];
  let start = 0;
  const end = buckets[b]!.upper;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return [start + (end - start) * (rank / count), forced];
}

function bucketFraction(lower: number, upper: number, raw: Bucket[]): number {
  const buckets = prepare(raw);
  if (buckets === null) return Number.NaN;
  ensureMonotonic(buckets);
  const count = buckets[buckets.length - 1]!.count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return Number.NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    // The first bucket starts at 0 when its bound is positive, as in bucketQuantile.
    let lowerBound = i > 0 ? buckets[i - 1]!.upper : Number.NEGATIVE_INFINITY;
    if (i === 0 && b.upper > 0) lowerBound = 0;
    const upperBound = b.upper;
    const interpolate = (v: number): number => {
      // An infinitely wide bucket contributes no observations between finite values: the
      // -Inf bucket puts them all below, the +Inf bucket all above.
      if (lowerBound === Number.NEGATIVE_INFINITY) return b.count;
      if (upperBound === Number.POSITIVE_INFINITY) return rank;
      return rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    };
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

function monotonicityInfo(ctx: FnContext, name: string, pos: PosRange): void {
  ctx.annotations.info(
    `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${JSON.stringify(name)}`,
    pos,
  );
}

const histogramQuantile: FunctionDef = {
  name: 'histogram_quantile',
  dropsName: true,
  impl: {
    kind: 'vector',
    fn: (args, ctx, out) => {
      const q = args[0] as number;
      if (!(q >= 0 && q <= 1)) {
        ctx.annotations.warn(
          `quantile value should be between 0 and 1, got ${formatFloat(q)}`,
          ctx.call.args[0]!.pos,
        );
      }
      for (const g of groupBuckets(args[1] as Vector, ctx, ctx.call.args[1]!.pos)) {
        const [v, forced] = bucketQuantile(q, g.buckets);
        if (forced) monotonicityInfo(ctx, g.name, ctx.call.args[1]!.pos);
        out.push({ metric: g.metric, f: v, t: ctx.ts, dropName: true });
      }
    },
  },
};

const histogramFraction: FunctionDef = {
  name: 'histogram_fraction',
  dropsName: true,
  impl: {
    kind: 'vector',
    fn: (args, ctx, out) => {
      const lower = args[0] as number;
      const upper = args[1] as number;
      for (const g of groupBuckets(args[2] as Vector, ctx, ctx.call.args[2]!.pos)) {
        out.push({ metric: g.metric, f: bucketFraction(lower, upper, g.buckets), t: ctx.ts, dropName: true });
      }
    },
  },
};

/** The `q` label value of histogram_quantiles: Go's %v-like form with at least one decimal. */
function quantileLabel(q: number): string {
  const s = formatFloat(q);
  return Number.isFinite(q) && Number.isInteger(q) ? `${s}.0` : s;
}

const histogramQuantiles: FunctionDef = {
  name: 'histogram_quantiles',
  dropsName: true,
  impl: {
    kind: 'vector',
    fn: (args, ctx, out) => {
      const label = args[1] as string;
      const qs = args.slice(2) as number[];
      qs.forEach((q, i) => {
        if (!(q >= 0 && q <= 1)) {
          ctx.annotations.warn(
            `quantile value should be between 0 and 1, got ${formatFloat(q)}`,
            ctx.call.args[i + 2]!.pos,
          );
        }
      });
      for (const g of groupBuckets(args[0] as Vector, ctx, ctx.call.args[0]!.pos)) {
        for (const q of qs) {
          const [v, forced] = bucketQuantile(
            q,
            g.buckets.map((b) => ({ ...b })),
          );
          if (forced) monotonicityInfo(ctx, g.name, ctx.call.args[0]!.pos);
          out.push({
            metric: labelsWith(g.metric, label, quantileLabel(q)),
            f: v,
            t: ctx.ts,
            dropName: true,
          });
        }
      }
    },
  },
};

/** Native-histogram accessors: float samples have no histogram, so they yield nothing. */
function nativeOnly(name: string): FunctionDef {
  return { name, dropsName: true, impl: { kind: 'vector', fn: () => {} } };
}

export const HISTOGRAM_FUNCTIONS: readonly FunctionDef[] = [
  histogramQuantile,
  histogramFraction,
  histogramQuantiles,
  nativeOnly('histogram_count'),
  nativeOnly('histogram_sum'),
  nativeOnly('histogram_avg'),
  nativeOnly('histogram_stddev'),
  nativeOnly('histogram_stdvar'),
];
