import type { Diagnostics } from './diagnostics.js';
import { configError } from './errors.js';
import { checkLabelName, checkMetricName } from './names.js';
import { type SeriesBase, SeriesMap } from './series-map.js';
import type { MetricPoint, MetricType, PointSink } from './types.js';

/** Options every instrument accepts. `L` is inferred from `labelNames`, no `as const` needed. */
export interface InstrumentOptions<L extends string> {
  /** Metric name, e.g. `http_requests_total`. */
  name: string;
  /** One line saying what is measured; sent as metadata. */
  help?: string;
  /** Unit of the values, e.g. `seconds` or `bytes`; sent as metadata. */
  unit?: string;
  /** The label names a record call may use; any other name is dropped and counted. */
  labelNames?: readonly L[];
  /** Series cap for this metric; overrides the client's `maxSeriesPerMetric`. */
  maxSeries?: number;
}

/** What the client hands an instrument when it creates it. */
export interface InstrumentContext {
  baseLabels: Readonly<Record<string, string>>;
  reservedLabels: ReadonlySet<string>;
  maxSeries: number;
  diag: Diagnostics;
}

/** What the client's registry needs from an instrument, whatever its series type. */
export interface Registered {
  readonly name: string;
  readonly type: MetricType;
  signature(): string;
  describe(): string;
  collect(sink: PointSink, timestamp: number): void;
}

/** Shared state and validation of counters, gauges and histograms. */
export abstract class Instrument<S extends SeriesBase> implements Registered {
  /** Metric name. */
  readonly name: string;
  /** Help text, empty when none was given. */
  readonly help: string;
  /** Unit, empty when none was given. */
  readonly unit: string;
  /** Label names in definition order. */
  readonly labelNames: readonly string[];
  /** Instrument kind. */
  abstract readonly type: MetricType;
  protected readonly series: SeriesMap<S>;
  protected readonly diag: Diagnostics;

  protected constructor(
    opts: InstrumentOptions<string>,
    ctx: InstrumentContext,
    extraReserved: string[] = [],
  ) {
    this.name = checkMetricName(opts.name);
    this.help = typeof opts.help === 'string' ? opts.help : '';
    this.unit = typeof opts.unit === 'string' ? opts.unit : '';
    const reserved = new Set([...ctx.reservedLabels, ...extraReserved]);
    const names = opts.labelNames ?? [];
    if (!Array.isArray(names)) configError(`cannot define metric ${this.name}: labelNames must be an array`);
    this.labelNames = names.map((n) => checkLabelName(this.name, n, reserved));
    if (new Set(this.labelNames).size !== this.labelNames.length) {
      configError(`cannot define metric ${this.name}: labelNames has duplicates`);
    }
    const maxSeries = opts.maxSeries ?? ctx.maxSeries;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) {
      configError(`cannot define metric ${this.name}: maxSeries must be a positive integer`);
    }
    this.diag = ctx.diag;
    this.series = new SeriesMap<S>({
      metric: this.name,
      labelNames: this.labelNames,
      baseLabels: ctx.baseLabels,
      maxSeries,
      diag: ctx.diag,
      make: (labels) => this.makeSeries(labels),
    });
  }

  /** Number of series recorded so far (the overflow series included). */
  get seriesCount(): number {
    return this.series.size;
  }

  /** A string that two definitions share exactly when they are the same metric. */
  signature(): string {
    return `${this.type}|${[...this.labelNames].sort().join(',')}|${this.unit}`;
  }

  /** The definition in words, for errors: `a counter with labels method, route`. */
  describe(): string {
    const labels =
      this.labelNames.length === 0 ? 'no labels' : `labels ${[...this.labelNames].sort().join(', ')}`;
    return `a ${this.type} with ${labels}${this.unit === '' ? '' : ` and unit ${this.unit}`}`;
  }

  /** Writes the current value of every series, stamped `timestamp`, into `sink`. */
  abstract collect(sink: PointSink, timestamp: number): void;

  protected abstract makeSeries(labels: Record<string, string>): S;

  protected point(
    name: string,
    value: number,
    labels: Record<string, string>,
    timestamp: number,
  ): MetricPoint {
    const p: MetricPoint = { name, type: this.type, value, labels, timestamp };
    if (this.help !== '') p.help = this.help;
    if (this.unit !== '') p.unit = this.unit;
    return p;
  }

  protected dropValue(value: unknown, why: string): void {
    this.diag.drop('invalid_value', this.name, `${why}, got ${String(value)}`);
  }
}
