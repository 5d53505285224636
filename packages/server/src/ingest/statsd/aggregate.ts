/**
 * StatsD lines aggregated per flush interval into Prometheus series, as statsd_exporter would
 * expose them to a scrape at each flush: counters as cumulative `<name>_total` (each increment
 * divided by its sample rate), gauges as their last value (`+`/`-` adjust it), timers (in ms,
 * converted to seconds), histograms and distributions as cumulative classic histograms
 * (`_bucket{le}`, `_sum`, `_count`, observations weighted by 1/rate), sets as a gauge of the number
 * of distinct members seen in the interval. Names: `.` and other characters a Prometheus name
 * cannot hold become `_`. Every known series is written at every flush; one not updated for
 * `idleMs` gets a staleness marker and is forgotten. A series first seen since the start
 * continues from its newest stored value (`seed`): after a restart counters and histograms go on
 * counting and `+`/`-` adjust the last gauge value, instead of starting from zero (a false reset).
 */

import { type Label, type Labels, labelsFromPairs, labelsKey, METRIC_NAME } from '../../model/labels.js';
import { type MetricMetadata, STALE_NAN } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';
import { formatLe } from '../series/le.js';
import { sanitizeName } from '../series/names.js';
import type { LastStored } from '../series/stored.js';
import { checkLabels } from '../validate.js';
import type { StatsdLine } from './parse.js';

/** Prometheus client libraries' default buckets, in seconds for timers. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Entry {
  readonly kind: 'counter' | 'gauge' | 'histogram' | 'set';
  readonly name: string;
  readonly labels: Labels;
  value: number;
  readonly buckets: number[];
  sum: number;
  count: number;
  readonly members: Set<string>;
  touched: number;
}

export class StatsdAggregator {
  private readonly entries = new Map<string, Entry>();
  /** Names already validated. */
  private readonly known = new Set<string>();

  constructor(
    private readonly limits: IngestLimits,
    private readonly idleMs = 5 * 60_000,
    private readonly bounds = DEFAULT_BUCKETS,
    private readonly seed: LastStored = () => undefined,
  ) {}

  /** Adds one parsed line at time `now`; false when it was refused. */
  add(l: StatsdLine, now: number): boolean {
    const kind = l.type === 'c' ? 'counter' : l.type === 'g' ? 'gauge' : l.type === 's' ? 'set' : 'histogram';
    const base = sanitizeName(l.name);
    const name = kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
    const pairs: Label[] = l.tags.map((t) => ({ name: sanitizeName(t.name, true), value: t.value }));
    pairs.push({ name: METRIC_NAME, value: name });
    const labels = labelsFromPairs(pairs);
    if (checkLabels(labels, this.limits, this.known) !== null) return false;
    const key = labelsKey(labels);
    let e = this.entries.get(key);
    if (e === undefined) {
      e = { kind, name, labels, value: 0, buckets: [], sum: 0, count: 0, members: new Set(), touched: now };
      this.resume(e);
      this.entries.set(key, e);
    } else if (e.kind !== kind) return false;
    e.touched = now;
    const weight = 1 / l.rate;
    switch (kind) {
      case 'counter':
        for (const v of l.values) e.value += v * weight;
        break;
      case 'gauge':
        for (const v of l.values) e.value = l.relative ? e.value + v : v;
        break;
      case 'set':
        for (const m of l.members) e.members.add(m);
        break;
      case 'histogram':
        for (const raw of l.values) {
          const v = l.type === 'ms' ? raw / 1000 : raw;
          for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) e.buckets[i]! += weight;
          e.sum += v * weight;
          e.count += weight;
        }
        break;
    }
    return true;
  }

  /** Starts a new entry from the newest stored values of its series (zero where there are none). */
  private resume(e: Entry): void {
    const last = (labels: Labels): number => this.seed(labels)?.v ?? 0;
    if (e.kind === 'counter' || e.kind === 'gauge') e.value = last(e.labels);
    if (e.kind !== 'histogram') return;
    for (const b of this.bounds) e.buckets.push(last(withName(e.labels, `${e.name}_bucket`, formatLe(b))));
    e.sum = last(withName(e.labels, `${e.name}_sum`));
    e.count = last(withName(e.labels, `${e.name}_count`));
  }

  /** The samples of one flush at `now`: every live series, staleness markers for idle ones. */
  flush(now: number): SampleBatch {
    const batch = new SampleBatch(this.limits);
    const put = (labels: Labels, v: number): void => {
      batch.add(batch.addValidSeries(labels), now, v);
    };
    for (const [key, e] of this.entries) {
      const idle = now - e.touched >= this.idleMs;
      const v = (x: number): number => (idle ? STALE_NAN : x);
      if (e.kind === 'histogram') {
        const family = e.name;
        for (let i = 0; i < this.bounds.length; i++) {
          put(withName(e.labels, `${family}_bucket`, formatLe(this.bounds[i]!)), v(e.buckets[i]!));
        }
        put(withName(e.labels, `${family}_bucket`, '+Inf'), v(e.count));
        put(withName(e.labels, `${family}_sum`), v(e.sum));
        put(withName(e.labels, `${family}_count`), v(e.count));
        batch.metadata.set(family, META.histogram);
      } else {
        put(e.labels, v(e.kind === 'set' ? e.members.size : e.value));
        batch.metadata.set(e.name, e.kind === 'counter' ? META.counter : META.gauge);
      }
      if (e.kind === 'set') e.members.clear();
      if (idle) this.entries.delete(key);
    }
    return batch;
  }
}

const META: Readonly<Record<'counter' | 'gauge' | 'histogram', MetricMetadata>> = {
  counter: { type: 'counter', help: 'StatsD counter', unit: '' },
  gauge: { type: 'gauge', help: 'StatsD gauge or set', unit: '' },
  histogram: { type: 'histogram', help: 'StatsD timer, histogram or distribution', unit: '' },
};

/** The labels with `__name__` replaced (and an `le` label when given), sorted. */
function withName(labels: Labels, name: string, le?: string): Label[] {
  const out = labels.filter((l) => l.name !== METRIC_NAME && l.name !== 'le');
  out.push({ name: METRIC_NAME, value: name });
  if (le !== undefined) out.push({ name: 'le', value: le });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
