import { Instrument, type InstrumentContext, type InstrumentOptions } from './instrument.js';
import type { SeriesBase } from './series-map.js';
import type { LabelSet, MetricType, PointSink } from './types.js';

/** Options of {@link Gauge}. */
export interface GaugeOptions<L extends string> extends InstrumentOptions<L> {
  /**
   * Called before every push (and by `flush()`), to set the gauge from the outside world,
   * e.g. `(g) => g.set(queue.length)`. May be async; if it throws, the error goes to `onError`
   * and the gauge keeps its previous values. When the gauge already exists (get-or-create), the
   * callback of the first definition stays in force.
   */
  collect?: (gauge: Gauge<L>) => void | Promise<void>;
}

class GaugeSeries implements SeriesBase {
  value = 0;
  readonly labels: Record<string, string>;
  constructor(labels: Record<string, string>) {
    this.labels = labels;
  }
}

/** A gauge bound to one label set: no label work per call. */
export interface BoundGauge {
  /** Sets the value. */
  set(value: number): void;
  /** Adds 1. */
  inc(): void;
  /** Subtracts 1. */
  dec(): void;
  /** Adds `value` (may be negative). */
  add(value: number): void;
}

/** A value that goes up and down; the latest value is pushed. Get one with `obs.gauge()`. */
export class Gauge<L extends string = never> extends Instrument<GaugeSeries> {
  /** Always `gauge`. */
  readonly type: MetricType = 'gauge';
  /** The `collect` callback given at definition, if any. */
  readonly collectCallback: ((gauge: Gauge<L>) => void | Promise<void>) | undefined;

  /** @internal use `obs.gauge()`. */
  constructor(opts: GaugeOptions<L>, ctx: InstrumentContext) {
    super(opts, ctx);
    this.collectCallback = opts.collect;
  }

  /** Sets the series of `labels` to `value` (finite). */
  set(value: number, labels?: LabelSet<L>): void {
    if (!isFiniteNumber(value)) {
      this.dropInvalid(value);
      return;
    }
    const s = this.series.resolve(labels);
    if (s !== undefined) s.value = value;
  }

  /** Adds 1 to the series of `labels`. */
  inc(labels?: LabelSet<L>): void {
    const s = this.series.resolve(labels);
    if (s !== undefined) s.value += 1;
  }

  /** Subtracts 1 from the series of `labels`. */
  dec(labels?: LabelSet<L>): void {
    const s = this.series.resolve(labels);
    if (s !== undefined) s.value -= 1;
  }

  /** Adds `value` (finite, may be negative) to the series of `labels`. */
  add(value: number, labels?: LabelSet<L>): void {
    if (!isFiniteNumber(value)) {
      this.dropInvalid(value);
      return;
    }
    const s = this.series.resolve(labels);
    if (s !== undefined) s.value += value;
  }

  /** Returns a handle on the series of `labels` whose calls skip label lookup. */
  bind(labels?: LabelSet<L>): BoundGauge {
    const s = this.series.resolve(labels);
    return s === undefined ? NOOP_BOUND : new Bound(s, this);
  }

  /** @internal */
  collect(sink: PointSink, timestamp: number): void {
    for (const s of this.series.values()) sink(this.point(this.name, s.value, s.labels, timestamp));
  }

  /** @internal */
  dropInvalid(value: unknown): void {
    this.dropValue(value, 'a gauge value must be a finite number');
  }

  protected makeSeries(labels: Record<string, string>): GaugeSeries {
    return new GaugeSeries(labels);
  }
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

class Bound implements BoundGauge {
  private readonly s: GaugeSeries;
  private readonly owner: Gauge<string>;
  constructor(s: GaugeSeries, owner: Gauge<string>) {
    this.s = s;
    this.owner = owner;
  }
  set(value: number): void {
    if (isFiniteNumber(value)) this.s.value = value;
    else this.owner.dropInvalid(value);
  }
  inc(): void {
    this.s.value += 1;
  }
  dec(): void {
    this.s.value -= 1;
  }
  add(value: number): void {
    if (isFiniteNumber(value)) this.s.value += value;
    else this.owner.dropInvalid(value);
  }
}

const NOOP_BOUND: BoundGauge = { set() {}, inc() {}, dec() {}, add() {} };
