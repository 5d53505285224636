/**
 * The one way every wire format hands samples to storage. A parser adds series and samples to a
 * {@link SampleBatch}; the batch validates each of them against the request's limits (through
 * ingest/validate.ts) as it is added, so no protocol can skip a rule, and a bad point is reported
 * back to the parser as a {@link Problem} for it to record with its own location.
 *
 * Series are added once per request and referred to by index, so storage is asked to hash a label
 * set once per series instead of once per sample, and the series ref storage returns can be kept by
 * the caller (see {@link SampleBatch.refs}).
 */

import { type Label, type Labels, labelsKey } from '../model/labels.js';
import type { MetricMetadata } from '../model/sample.js';
import type { SeriesRef } from '../storage/types.js';
import { doubled } from '../typed.js';
import { IngestError } from './errors.js';
import type { IngestLimits } from './limits.js';
import { checkLabels, checkMetadata, checkTimestamp, type Problem } from './validate.js';

/** A refused point: where it is in the request (`metrics[3]`, `line 7`…), the field and the rule. */
export interface IngestIssue {
  readonly where: string;
  readonly field: string;
  readonly message: string;
}

/** Versions of batch metadata, unique in the process. */
let metadataVersions = 0;

export class SampleBatch {
  /** Points in the request, valid or not (set by the parser; used in messages and reports). */
  total = 0;
  /** Points refused by validation or by the parser, in request order. */
  readonly issues: IngestIssue[] = [];
  /** Metric family → metadata, validated. */
  readonly metadata = new Map<string, MetricMetadata>();
  /**
   * Label sets of the series added, by series index (sorted, validated). Sized up front like the
   * arrays below: a batch of 10 000 series grown by `push` allocated several times its size,
   * and garbage per sample is what sets how often the young generation is collected.
   */
  private readonly series: Labels[];
  private refsBySeries: Uint32Array;
  private nSeries = 0;

  private n = 0;
  private sIdx = new Int32Array(256);
  private ts = new Float64Array(256);
  /** A Float64Array so that NaN payloads (the stale marker) keep their bits; see model/sample.ts. */
  private vs = new Float64Array(256);
  /** Index of each series' newest sample in the batch, for "last point wins" on a repeated time. */
  private last: Int32Array;
  /** Built on the first sample that goes back in time within its series: (series, t) → index. */
  private byKey: Map<string, number> | null = null;
  private readonly knownNames = new Set<string>();
  /** Series key → index, so that a request repeating a series gets one index for it. */
  private readonly byLabels = new Map<string, number>();
  /** The keys of series added through {@link addSeries}, by index. */
  private readonly keys: string[] = [];
  private indexing = false;
  /** See {@link metadataVersion}. */
  private metaVersion = ++metadataVersions;

  /** `capacity`: the samples expected, when more than a few hundred (the arrays grow beyond it). */
  constructor(
    readonly limits: IngestLimits,
    capacity = 0,
  ) {
    if (capacity > this.ts.length) this.allocate(capacity);
    // (A series has at least one sample, so the samples expected bound the series too.)
    const series = Math.max(16, capacity);
    this.series = new Array(series);
    this.refsBySeries = new Uint32Array(series);
    this.last = new Int32Array(series);
  }

  /** Storage refs by series index: 0 until known; filled by {@link commitBatch}. */
  get refs(): Uint32Array {
    return this.refsBySeries;
  }

  /** Samples in the batch. */
  get length(): number {
    return this.n;
  }

  /**
   * Adds a series: `labels` holds `__name__` and the other labels in any order (empty values are
   * dropped as "absent"; the array is sorted in place). Returns the series index (the same index
   * for the same label set within a request), or the {@link Problem} that makes the series invalid.
   */
  addSeries(labels: Label[]): number | Problem {
    let w = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i]!.value !== '') labels[w++] = labels[i]!;
    labels.length = w;
    sortByName(labels);
    for (let i = 1; i < labels.length; i++) {
      if (labels[i]!.name === labels[i - 1]!.name)
        return { field: `labels.${labels[i]!.name}`, message: 'label name repeated' };
    }
    if (!this.indexing) this.startIndexing();
    const key = labelsKey(labels);
    const known = this.byLabels.get(key);
    if (known !== undefined) return known;
    const p = checkLabels(labels, this.limits, this.knownNames);
    if (p !== null) return p;
    const s = this.push(labels, 0);
    this.byLabels.set(key, s);
    this.keys[s] = key;
    return s;
  }

  /** The labelsKey of series `s` (kept from {@link addSeries}, which needed it anyway). */
  keyOf(s: number): string {
    return this.keys[s] ?? labelsKey(this.series[s]!);
  }

  /**
   * Adds a series the caller knows is valid and sorted because this server validated it before
   * (a cache of series across requests), with its storage ref if known. Returns its index (the
   * same as {@link addSeries} gives for the same labels within this request).
   */
  addValidSeries(labels: Labels, ref: SeriesRef = 0): number {
    // Series are looked up by their labels only once some came through addSeries: a request
    // whose series all come from a cache costs no key strings.
    if (!this.indexing) return this.push(labels, ref);
    const key = labelsKey(labels);
    const known = this.byLabels.get(key);
    if (known !== undefined) return known;
    const s = this.push(labels, ref);
    this.byLabels.set(key, s);
    return s;
  }

  /** Series in the batch: their indexes are 0 to this - 1 (in {@link refs} too). */
  get seriesCount(): number {
    return this.nSeries;
  }

  /** The label set of series `s` (sorted, validated). */
  labelsOf(s: number): Labels {
    return this.series[s]!;
  }

  private push(labels: Labels, ref: SeriesRef): number {
    const s = this.nSeries;
    if (s === this.refsBySeries.length) this.growSeries();
    this.series[s] = labels;
    this.refsBySeries[s] = ref;
    this.last[s] = -1;
    this.nSeries = s + 1;
    return s;
  }

  private growSeries(): void {
    this.refsBySeries = doubled(this.refsBySeries);
    this.last = doubled(this.last);
  }

  private startIndexing(): void {
    this.indexing = true;
    for (let i = 0; i < this.nSeries; i++) {
      const key = labelsKey(this.series[i]!);
      if (!this.byLabels.has(key)) this.byLabels.set(key, i);
    }
  }

  /**
   * Adds a sample of series `s`. A sample with the same series and timestamp as an earlier one of
   * this request replaces it (last point wins: the Go SDK sends one point per counter increment,
   * and two in the same millisecond must not conflict). Returns a {@link Problem} for a timestamp
   * outside the readable range; throws {@link IngestError} (413) past the samples-per-request limit.
   */
  add(s: number, t: number, v: number): Problem | null {
    const p = checkTimestamp(t);
    if (p !== null) return p;
    const prev = this.last[s]!;
    if (prev >= 0 && this.ts[prev]! >= t) {
      const same = this.ts[prev] === t ? prev : this.find(s, t);
      if (same >= 0) {
        this.vs[same] = v;
        return null;
      }
    }
    const i = this.n;
    if (i === this.limits.maxSamplesPerRequest) throw tooManySamples(i + 1, this.limits);
    if (i === this.ts.length) this.grow();
    this.sIdx[i] = s;
    this.ts[i] = t;
    this.vs[i] = v;
    this.n = i + 1;
    if (prev < 0 || t > this.ts[prev]!) this.last[s] = i;
    this.byKey?.set(`${s}:${t}`, i);
    return null;
  }

  /** Records metadata for a metric family. Returns a {@link Problem} for help or unit over the limits. */
  setMetadata(family: string, meta: MetricMetadata): Problem | null {
    const p = checkMetadata(meta, this.limits);
    if (p !== null) return p;
    this.metadata.set(family, meta);
    this.metaVersion = ++metadataVersions;
    return null;
  }

  /**
   * Changes whenever metadata is set, and differs between batches: a parser that saw the version
   * unchanged since it declared some metadata knows that declaring it again changes nothing.
   */
  get metadataVersion(): number {
    return this.metaVersion;
  }

  /** Records a refused point. */
  refuse(where: string, p: Problem): void {
    this.issues.push({ where, field: p.field, message: p.message });
  }

  /** Series index, timestamp and value of sample `i`. */
  seriesOf(i: number): number {
    return this.sIdx[i]!;
  }
  timeOf(i: number): number {
    return this.ts[i]!;
  }
  valueOf(i: number): number {
    return this.vs[i]!;
  }

  private find(s: number, t: number): number {
    if (this.byKey === null) {
      this.byKey = new Map();
      for (let i = 0; i < this.n; i++) this.byKey.set(`${this.sIdx[i]}:${this.ts[i]}`, i);
    }
    return this.byKey.get(`${s}:${t}`) ?? -1;
  }

  private grow(): void {
    const { sIdx, ts, vs } = this;
    this.allocate(ts.length * 2);
    this.sIdx.set(sIdx);
    this.ts.set(ts);
    this.vs.set(vs);
  }

  private allocate(size: number): void {
    this.sIdx = new Int32Array(size);
    this.ts = new Float64Array(size);
    this.vs = new Float64Array(size);
  }
}

/** The 413 for a request with more samples than `--max-samples-per-request`. */
export function tooManySamples(count: number, limits: IngestLimits): IngestError {
  return new IngestError(
    'payload_too_large',
    `too many samples in request: ${count} or more (limit ${limits.maxSamplesPerRequest}, --max-samples-per-request)`,
  );
}

/** Insertion sort: label sets are short, and this avoids the comparator calls of Array.sort. */
function sortByName(pairs: Label[]): void {
  for (let i = 1; i < pairs.length; i++) {
    const x = pairs[i]!;
    let j = i - 1;
    while (j >= 0 && pairs[j]!.name > x.name) {
      pairs[j + 1] = pairs[j]!;
      j--;
    }
    pairs[j + 1] = x;
  }
}
