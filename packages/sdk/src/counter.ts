import { Instrument, type InstrumentContext, type InstrumentOptions } from './instrument.js';
import type { SeriesBase } from './series-map.js';
import type { LabelSet, MetricType, PointSink } from './types.js';

/** Options of {@link Counter}. */
export type CounterOptions<L extends string> = InstrumentOptions<L>;

class CounterSeries implements SeriesBase {
  value = 0;
  readonly labels: Record<string, string>;
  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }
}

/** A counter bound to one label set: no label work per call. */
export interface BoundCounter {
  /** Adds 1. */
  inc(): void;
  /** Adds `value`; a negative, NaN or infinite value is dropped and counted. */
  add(value: number): void;
}

/**
 * A value that only goes up, pushed as its cumulative total so that a lost batch costs
 * resolution, not totals. Get one with `obs.counter()`.
 */
export class Counter<L extends string = never> extends Instrument<CounterSeries> {
  /** Always `counter`. */
  readonly type: MetricType = 'counter';

  /** @internal use `obs.counter()`. */
  constructor(opts: CounterOptions<L>, ctx: InstrumentContext) {
    super(opts, ctx);
  }

  /** Adds 1 to the series of `labels`. */
  inc(labels?: LabelSet<L>): void {
    const s = this.series.resolve(labels);
    if (s !== undefined) s.value += 1;
  }

  /** Adds `value` (>= 0, finite) to the series of `labels`. */
  add(value: number, labels?: LabelSet<L>): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      this.dropValue(value, 'a counter increment must be a finite number >= 0');
      return;
    }
    const s = this.series.resolve(labels);
    if (s !== undefined) s.value += value;
  }

  /** Returns a handle on the series of `labels` whose calls skip label lookup. */
  bind(labels?: LabelSet<L>): BoundCounter {
    const s = this.series.resolve(labels);
    return s === undefined ? NOOP_BOUND : new Bound(s, this);
  }

  /** @internal */
  collect(sink: PointSink, timestamp: number): void {
    for (const s of this.series.values()) sink(this.point(this.name, s.value, s.labels, timestamp));
  }

  /** @internal */
  dropInvalid(value: unknown): void {
    this.dropValue(value, 'a counter increment must be a finite number >= 0');
  }

  protected makeSeries(labels: Record<string, string>): CounterSeries {
    return new CounterSeries(labels);
  }
}

class Bound implements BoundCounter {
  private readonly s: CounterSeries;
  private readonly owner: Counter<string>;
  constructor(s: CounterSeries, owner: Counter<string>) {
    this.s = s;
    this.owner = owner;
  }
  inc(): void {
    this.s.value += 1;
  }
  add(value: number): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
      this.owner.dropInvalid(value);
      return;
    }
    this.s.value += value;
  }
}

// Handed out when bind() got invalid labels: the drop was counted once, later calls do nothing.
const NOOP_BOUND: BoundCounter = { inc() {}, add() {} };
