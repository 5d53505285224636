/**
 * Builds the families of `GET /metrics` from storage: the newest sample of every series pushed
 * within the staleness window, grouped into families by the metadata received at ingest.
 */

import { familyOf } from '../model/family.js';
import { type Labels, labelsGet, labelsKey, METRIC_NAME } from '../model/labels.js';
import { type Matcher, newMatcher } from '../model/matcher.js';
import { isStaleNaN, type MetricMetadata } from '../model/sample.js';
import type { Queryable, SampleIterator } from '../storage/types.js';
import type { ExpositionFamily, ExpositionSample, ExpositionType } from './format.js';

const ANY_NAME = [newMatcher('=~', METRIC_NAME, '.+')];

interface Latest {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp?: number;
}

/** What to collect beyond the defaults of `GET /metrics`. */
export interface CollectOptions {
  /** Only series matching one of these selectors (all pushed series when absent). */
  readonly selectors?: readonly (readonly Matcher[])[];
  /** Give every sample its timestamp (federation does; `/metrics` does not). */
  readonly timestamps?: boolean;
}

/**
 * Families for every series whose newest sample lies in `[now - stalenessMs, ∞)`, sorted by name;
 * series within a family sorted by labels. A series whose newest sample is a staleness marker is
 * left out, as a scrape target would drop it.
 */
export function collectPushedFamilies(
  store: Queryable,
  now: number,
  stalenessMs: number,
  options: CollectOptions = {},
): ExpositionFamily[] {
  // Federation answers as of `now`; /metrics shows the newest sample even slightly ahead of it.
  const q = store.querier(now - stalenessMs, options.timestamps ? now : Number.MAX_SAFE_INTEGER);
  try {
    const meta = q.metadata();
    const families = new Map<string, { type: ExpositionType; help: string; samples: Latest[] }>();
    const seen = new Set<string>();
    let it: SampleIterator | undefined;
    for (const matchers of options.selectors ?? [ANY_NAME]) {
      const set = q.select(matchers);
      while (set.next()) {
        const series = set.at();
        if (options.selectors !== undefined && options.selectors.length > 1) {
          const key = labelsKey(series.labels);
          if (seen.has(key)) continue;
          seen.add(key);
        }
        it = series.iterator(it);
        let has = false;
        let v = 0;
        let t = 0;
        while (it.next()) {
          has = true;
          v = it.v();
          t = it.t();
        }
        if (!has || isStaleNaN(v)) continue;
        const name = labelsGet(series.labels, METRIC_NAME);
        const [family, m] = familyOf(name, meta);
        let f = families.get(family);
        if (f === undefined) {
          f = { type: exposedType(m), help: m?.help || `${family} pushed to TinyObs.`, samples: [] };
          families.set(family, f);
        }
        const labels = series.labels.filter((l) => l.name !== METRIC_NAME);
        f.samples.push(
          options.timestamps ? { name, labels, value: v, timestamp: t } : { name, labels, value: v },
        );
      }
    }
    return [...families.keys()].sort().map((name) => {
      const f = families.get(name)!;
      const samples = f.type === 'histogram' ? orderHistogram(name, f.samples) : f.samples;
      return { name, type: f.type, help: f.help, samples };
    });
  } finally {
    q.close();
  }
}

function exposedType(m: MetricMetadata | undefined): ExpositionType {
  return m === undefined || m.type === 'unknown' ? 'untyped' : m.type;
}

/**
 * Orders a histogram's lines as Prometheus clients do: per label set, buckets by ascending `le`,
 * then `_sum` and `_count`. When a pushed histogram has no `+Inf` bucket but has a count, the
 * `+Inf` bucket is added with the count, which is its value by definition.
 */
function orderHistogram(family: string, samples: Latest[]): ExpositionSample[] {
  const groups = new Map<
    string,
    { labels: Labels; buckets: [number, Latest][]; sum?: Latest; count?: Latest }
  >();
  for (const s of samples) {
    const base = s.labels.filter((l) => l.name !== 'le');
    const key = labelsKey(base);
    let g = groups.get(key);
    if (g === undefined) {
      g = { labels: base, buckets: [] };
      groups.set(key, g);
    }
    if (s.name === `${family}_bucket`) g.buckets.push([parseLe(labelsGet(s.labels, 'le')), s]);
    else if (s.name === `${family}_sum`) g.sum = s;
    else g.count = s;
  }
  const out: ExpositionSample[] = [];
  for (const g of groups.values()) {
    g.buckets.sort((a, b) => a[0] - b[0]);
    for (const [, b] of g.buckets) out.push(b);
    const hasInf = g.buckets.some(([le]) => le === Number.POSITIVE_INFINITY);
    if (!hasInf && g.count !== undefined) {
      const labels = [...g.labels, { name: 'le', value: '+Inf' }].sort((a, b) => (a.name < b.name ? -1 : 1));
      out.push({ name: `${family}_bucket`, labels, value: g.count.value, timestamp: g.count.timestamp });
    }
    if (g.sum !== undefined) out.push(g.sum);
    if (g.count !== undefined) out.push(g.count);
  }
  return out;
}

function parseLe(text: string): number {
  return text === '+Inf' ? Number.POSITIVE_INFINITY : Number(text);
}
