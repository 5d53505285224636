/**
 * The server's own metrics (`tinyobs_*`), kept in process and rendered at `GET /metrics` beside
 * the pushed series. A deliberately small registry: counters, gauges read on collect, and
 * histograms, each with fixed label names.
 */

import type { ExpositionFamily, ExpositionSample } from '../exposition/format.js';
import { type Labels, labelsFromPairs } from '../model/labels.js';

interface Collector {
  collect(): ExpositionFamily | ExpositionFamily[];
}

function labelSet(names: readonly string[], values: readonly string[]): Labels {
  return labelsFromPairs(names.map((name, i) => ({ name, value: values[i] ?? '' })));
}

export class SelfCounter<N extends string> implements Collector {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly N[] = [],
  ) {}

  inc(labels: Readonly<Record<N, string>> | undefined = undefined, by = 1): void {
    const values = this.labelNames.map((n) => labels?.[n] ?? '');
    const key = values.join('\xff');
    const cell = this.values.get(key);
    if (cell !== undefined) cell.value += by;
    else this.values.set(key, { labels: labelSet(this.labelNames, values), value: by });
  }

  collect(): ExpositionFamily {
    const samples = [...this.values.values()].map((c) => ({
      name: this.name,
      labels: c.labels,
      value: c.value,
    }));
    return { name: this.name, type: 'counter', help: this.help, samples };
  }
}

/** Families computed when collected, from one snapshot (e.g. database statistics). */
export class SelfSnapshot<S> implements Collector {
  constructor(
    private readonly snapshot: () => S,
    private readonly render: (s: S) => ExpositionFamily[],
  ) {}

  collect(): ExpositionFamily[] {
    return this.render(this.snapshot());
  }
}

/** One unlabelled gauge or counter family with a value. */
export function valueFamily(
  name: string,
  type: 'gauge' | 'counter',
  help: string,
  value: number,
): ExpositionFamily {
  return { name, type, help, samples: [{ name, labels: [], value }] };
}

export class SelfHistogram<N extends string> implements Collector {
  private readonly cells = new Map<
    string,
    { labels: Labels; counts: Float64Array; sum: number; count: number }
  >();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly N[],
    private readonly buckets: readonly number[],
  ) {}

  observe(labels: Readonly<Record<N, string>>, v: number): void {
    const values = this.labelNames.map((n) => labels[n]);
    const key = values.join('\xff');
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = {
        labels: labelSet(this.labelNames, values),
        counts: new Float64Array(this.buckets.length),
        sum: 0,
        count: 0,
      };
      this.cells.set(key, cell);
    }
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) cell.counts[i]!++;
    cell.sum += v;
    cell.count++;
  }

  collect(): ExpositionFamily {
    const samples: ExpositionSample[] = [];
    for (const c of this.cells.values()) {
      this.buckets.forEach((le, i) => {
        samples.push({
          name: `${this.name}_bucket`,
          labels: withLe(c.labels, String(le)),
          value: c.counts[i]!,
        });
      });
      samples.push({ name: `${this.name}_bucket`, labels: withLe(c.labels, '+Inf'), value: c.count });
      samples.push({ name: `${this.name}_sum`, labels: c.labels, value: c.sum });
      samples.push({ name: `${this.name}_count`, labels: c.labels, value: c.count });
    }
    return { name: this.name, type: 'histogram', help: this.help, samples };
  }
}

function withLe(ls: Labels, le: string): Labels {
  return labelsFromPairs([...ls, { name: 'le', value: le }]);
}

/** A set of collectors rendered together. */
export class SelfRegistry {
  private readonly collectors: Collector[] = [];

  register<C extends Collector>(c: C): C {
    this.collectors.push(c);
    return c;
  }

  collect(): ExpositionFamily[] {
    return this.collectors.flatMap((c) => c.collect()).sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
