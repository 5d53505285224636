import type { Diagnostics } from './diagnostics.js';
import type { LabelValue } from './types.js';

/** The part of a series every instrument shares: its full, final label set. */
export interface SeriesBase {
  /** `service`, default labels and the instrument's labels, empty values omitted. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Label set of the one series that takes every value once the series cap is reached. */
export const OVERFLOW_LABEL = 'tinyobs_overflow';

/** What a series map needs to know about the instrument that owns it. */
export interface SeriesMapConfig<S extends SeriesBase> {
  metric: string;
  labelNames: readonly string[];
  baseLabels: Readonly<Record<string, string>>;
  maxSeries: number;
  diag: Diagnostics;
  make: (labels: Record<string, string>) => S;
}

/**
 * Finds the series of a label object. The key is the values in definition order joined by
 * U+0000, so `{a, b}` and `{b, a}` are the same series and no sorting or hashing of names
 * happens per call; the object is validated only as much as the fast path needs (a key count).
 */
export class SeriesMap<S extends SeriesBase> {
  private readonly map = new Map<string, S>();
  private overflow: S | undefined;
  private readonly cfg: SeriesMapConfig<S>;
  // The key of `{}`, so that `inc()` and `inc({})` are the same series.
  private readonly emptyKey: string;

  constructor(cfg: SeriesMapConfig<S>) {
    this.cfg = cfg;
    this.emptyKey = '\u0000'.repeat(cfg.labelNames.length);
  }

  /** Number of distinct series, the overflow series included. */
  get size(): number {
    return this.map.size + (this.overflow === undefined ? 0 : 1);
  }

  /** Every series, the overflow one last. */
  *values(): IterableIterator<S> {
    yield* this.map.values();
    if (this.overflow !== undefined) yield this.overflow;
  }

  /** The series for `labels`, or undefined when the labels are invalid (counted and warned). */
  resolve(labels: Readonly<Record<string, LabelValue | undefined>> | undefined | null): S | undefined {
    const names = this.cfg.labelNames;
    if (labels === undefined || labels === null) return this.lookup(this.emptyKey, undefined);
    if (typeof labels !== 'object') {
      this.cfg.diag.drop('invalid_label', this.cfg.metric, 'labels must be an object');
      return undefined;
    }
    let key = '';
    let found = 0;
    for (let i = 0; i < names.length; i++) {
      const v = labels[names[i]!];
      if (v !== undefined) {
        key += v;
        found++;
      }
      key += '\u0000';
    }
    let keys = 0;
    for (const _ in labels) keys++;
    if (keys !== found && !this.onlyKnownNames(labels)) return undefined;
    return this.lookup(key, labels);
  }

  private lookup(
    key: string,
    labels: Readonly<Record<string, LabelValue | undefined>> | undefined,
  ): S | undefined {
    const s = this.map.get(key);
    if (s !== undefined) return s;
    return this.create(key, labels);
  }

  // Slow path: an extra key may be an explicit `undefined`, which is allowed.
  private onlyKnownNames(labels: Readonly<Record<string, unknown>>): boolean {
    for (const k in labels) {
      if (labels[k] !== undefined && !this.cfg.labelNames.includes(k)) {
        this.cfg.diag.drop(
          'unknown_label',
          this.cfg.metric,
          `label ${JSON.stringify(k)} is not in labelNames`,
        );
        return false;
      }
    }
    return true;
  }

  private create(
    key: string,
    labels: Readonly<Record<string, LabelValue | undefined>> | undefined,
  ): S | undefined {
    const full: Record<string, string> = { ...this.cfg.baseLabels };
    if (labels !== undefined) {
      for (const name of this.cfg.labelNames) {
        const v = labels[name];
        if (v === undefined) continue;
        if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string') {
          this.cfg.diag.drop(
            'invalid_label',
            this.cfg.metric,
            `label ${name} must be a string or a finite number`,
          );
          return undefined;
        }
        const s = String(v);
        if (s !== '') full[name] = s;
      }
    }
    if (this.map.size >= this.cfg.maxSeries) return this.overflowSeries();
    const series = this.cfg.make(full);
    this.map.set(key, series);
    return series;
  }

  private overflowSeries(): S {
    if (this.overflow === undefined) {
      this.cfg.diag.warnOnce(
        `${this.cfg.metric}\u0000overflow`,
        `tinyobs: ${this.cfg.metric}: more than ${this.cfg.maxSeries} series; further label sets go to the ${OVERFLOW_LABEL}="true" series`,
      );
      this.overflow = this.cfg.make({ ...this.cfg.baseLabels, [OVERFLOW_LABEL]: 'true' });
    }
    return this.overflow;
  }
}
