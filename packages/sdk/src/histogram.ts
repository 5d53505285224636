import { configError } from './errors.js';
import { Instrument, type InstrumentContext, type InstrumentOptions } from './instrument.js';
import type { SeriesBase } from './series-map.js';
import type { LabelSet, MetricType, PointSink } from './types.js';

/** prom-client's and the Prometheus Go client's default buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Options of {@link Histogram}. */
export interface HistogramOptions<L extends string> extends InstrumentOptions<L> {
  /**
   * Upper bounds (inclusive), strictly increasing and finite; a `+Inf` bucket is always added.
   * Defaults to {@link DEFAULT_BUCKETS} (seconds).
   */
  buckets?: readonly number[];
}

class HistogramSeries implements SeriesBase {
  readonly labels: Record<string, string>;
  // Per-bucket (not cumulative) counts, the last slot is +Inf; made cumulative at collect time
  // so that observe() touches one slot.
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  // Label objects of the `_bucket` points, built at the first collection and reused.
  bucketLabels: Record<string, string>[] | undefined;
  constructor(labels: Record<string, string>, buckets: number) {
    this.labels = labels;
    this.counts = new Float64Array(buckets + 1);
  }
}

/** A histogram bound to one label set: no label work per call. */
export interface BoundHistogram {
  /** Records one observation. */
  observe(value: number): void;
  /** Starts a timer; calling the returned function records the elapsed seconds and returns them. */
  startTimer(): () => number;
}

/**
 * A distribution in cumulative buckets, pushed as Prometheus-style `_bucket{le}`, `_sum` and
 * `_count` series. Get one with `obs.histogram()`.
 */
export class Histogram<L extends string = never> extends Instrument<HistogramSeries> {
  /** Always `histogram`. */
  readonly type: MetricType = 'histogram';
  /** Finite upper bounds, without the implicit `+Inf`. */
  readonly buckets: readonly number[];

  /** @internal use `obs.histogram()`. */
  constructor(opts: HistogramOptions<L>, ctx: InstrumentContext) {
    super(opts, ctx, ['le']);
    this.buckets = checkBuckets(this.name, opts.buckets ?? DEFAULT_BUCKETS);
  }

  /** Records `value` (finite) in the series of `labels`. */
  observe(value: number, labels?: LabelSet<L>): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.dropInvalid(value);
      return;
    }
    const s = this.series.resolve(labels);
    if (s !== undefined) this.record(s, value);
  }

  /**
   * Starts a timer. The returned function records the elapsed seconds with `labels` merged
   * with its own `more` labels (e.g. the status, known only at the end) and returns them.
   */
  startTimer(labels?: LabelSet<L>): (more?: LabelSet<L>) => number {
    const start = performance.now();
    return (more) => {
      const seconds = (performance.now() - start) / 1000;
      this.observe(seconds, more === undefined ? labels : { ...labels, ...more });
      return seconds;
    };
  }

  /**
   * Runs `fn` and records how long it took, in seconds; for an async `fn`, until its promise
   * settles. Returns what `fn` returns; a thrown error or rejection is recorded, then passed on.
   */
  time<T>(fn: () => T, labels?: LabelSet<L>): T {
    const stop = this.startTimer(labels);
    let result: T;
    try {
      result = fn();
    } catch (err) {
      stop();
      throw err;
    }
    if (isThenable(result)) {
      return result.then(
        (v) => {
          stop();
          return v;
        },
        (err: unknown) => {
          stop();
          throw err;
        },
      ) as T;
    }
    stop();
    return result;
  }

  /** Returns a handle on the series of `labels` whose calls skip label lookup. */
  bind(labels?: LabelSet<L>): BoundHistogram {
    const s = this.series.resolve(labels);
    return s === undefined ? NOOP_BOUND : new Bound(s, this);
  }

  /** @internal */
  record(s: HistogramSeries, value: number): void {
    const b = this.buckets;
    let i = 0;
    while (i < b.length && value > b[i]!) i++;
    s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** @internal */
  dropInvalid(value: unknown): void {
    this.dropValue(value, 'an observation must be a finite number');
  }

  /** @internal */
  override signature(): string {
    return `${super.signature()}|${this.buckets.join(',')}`;
  }

  /** @internal */
  override describe(): string {
    return `${super.describe()} and buckets ${this.buckets.join(', ')}`;
  }

  /** @internal */
  collect(sink: PointSink, timestamp: number): void {
    const bucketName = `${this.name}_bucket`;
    for (const s of this.series.values()) {
      if (s.bucketLabels === undefined) {
        s.bucketLabels = [...this.buckets.map(String), '+Inf'].map((le) => ({ ...s.labels, le }));
      }
      let cumulative = 0;
      for (let i = 0; i < s.counts.length; i++) {
        cumulative += s.counts[i]!;
        sink(this.point(bucketName, cumulative, s.bucketLabels[i]!, timestamp));
      }
      sink(this.point(`${this.name}_sum`, s.sum, s.labels, timestamp));
      sink(this.point(`${this.name}_count`, s.count, s.labels, timestamp));
    }
  }

  protected makeSeries(labels: Record<string, string>): HistogramSeries {
    return new HistogramSeries(labels, this.buckets.length);
  }
}

function checkBuckets(metric: string, buckets: readonly number[]): number[] {
  if (!Array.isArray(buckets))
    configError(`cannot define histogram ${metric}: buckets must be an array of numbers`);
  const out = buckets.filter((b) => b !== Number.POSITIVE_INFINITY);
  for (let i = 0; i < out.length; i++) {
    const b = out[i];
    if (typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b <= out[i - 1]!)) {
      configError(`cannot define histogram ${metric}: buckets must be finite and strictly increasing`);
    }
  }
  return out;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

class Bound implements BoundHistogram {
  private readonly s: HistogramSeries;
  private readonly owner: Histogram<string>;
  constructor(s: HistogramSeries, owner: Histogram<string>) {
    this.s = s;
    this.owner = owner;
  }
  observe(value: number): void {
    if (typeof value === 'number' && Number.isFinite(value)) this.owner.record(this.s, value);
    else this.owner.dropInvalid(value);
  }
  startTimer(): () => number {
    const start = performance.now();
    return () => {
      const seconds = (performance.now() - start) / 1000;
      this.owner.record(this.s, seconds);
      return seconds;
    };
  }
}

const NOOP_BOUND: BoundHistogram = { observe() {}, startTimer: () => () => 0 };
