/**
 * Batched appends to the head. `append()` only resolves the series and buffers the sample;
 * `commit()` judges the whole batch against the head in one synchronous pass, writes the accepted
 * samples (and the records of series new to the log) to the write-ahead log as one write, and
 * only then applies them. Two appenders committing concurrently therefore never interleave, a
 * batch is all-or-nothing for queries and for durability, and a failed log write stores nothing.
 */

import { type Labels, metricName } from '../../model/labels.js';
import { type MetricMetadata, sameFloatBits } from '../../model/sample.js';
import type { Appender, CommitResult, RejectReason, SeriesRef } from '../../storage/types.js';
import { grown } from '../../typed.js';
import { ByteWriter } from '../record/buffer.js';
import { encodeMetadata, encodeSamples, encodeSeries, type SeriesEntry } from '../record/record.js';
import type { Head } from './head.js';
import type { MemSeries } from './series.js';

let commitCounter = 0;
const sampleWriter = new ByteWriter(1 << 20);

/** An appender's sample buffers. */
interface Buffers {
  readonly refs: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}
/**
 * Buffers of finished appenders, for the next ones: one per request, each would otherwise grow
 * its own from 64 samples by doubling (eight copies for a push of 10 000 samples).
 */
const spares: Buffers[] = [];
const MAX_SPARES = 4;
const NONE: Buffers = { refs: new Uint32Array(0), ts: new Float64Array(0), vs: new Float64Array(0) };

export class HeadAppender implements Appender {
  private n = 0;
  private refs = NONE.refs;
  private ts = NONE.ts;
  /**
   * Values go in a Float64Array, not a JS array: V8 quiets signalling NaNs stored in double
   * arrays, which would turn the stale marker 0x7ff0000000000002 into an ordinary NaN.
   */
  private vs = NONE.vs;
  private readonly pendingMeta = new Map<string, MetricMetadata>();
  /** Samples of new series refused by a series limit, and their metric names. */
  private limitedSamples = 0;
  private readonly limited = new Set<string>();

  constructor(private readonly head: Head) {}

  append(ref: SeriesRef, labels: Labels, t: number, v: number): SeriesRef {
    // A known ref is only checked, not followed: the series object is reached once, when the
    // sample is stored (see columns.ts).
    if (ref === 0 || this.head.seriesByRef(ref) === undefined) {
      const s = this.head.getOrCreate(labels);
      if (s === undefined) {
        this.limited.add(metricName(labels));
        this.limitedSamples++;
        return 0;
      }
      ref = s.ref;
    }
    if (this.n === this.refs.length) this.grow();
    this.refs[this.n] = ref;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    this.n++;
    return ref;
  }

  setMetadata(metric: string, meta: MetricMetadata): void {
    this.pendingMeta.set(metric, meta);
  }

  async commit(): Promise<CommitResult> {
    const head = this.head;
    const rejected: Partial<Record<RejectReason, number>> = {};
    if (this.limitedSamples > 0) rejected.too_many_series = this.limitedSamples;
    const limitedMetrics = [...this.limited];
    const minValid = head.minValidTime();
    // Series this batch brings to the log (collected while judging, not in a pass over every series).
    const fresh: MemSeries[] = [];
    const { kept, sameDuplicates, ooo } = this.judge(minValid, rejected, fresh);
    // The log. Nothing is applied if this throws.
    if (head.log !== null && (kept > 0 || this.pendingMeta.size > 0)) {
      head.log.write(this.records(kept, fresh));
    }
    for (const s of fresh) head.markLogged(s);
    this.apply(kept);
    for (const [metric, meta] of this.pendingMeta) head.meta.set(metric, meta);
    const stats = head.stats;
    stats.samplesAppended += kept;
    stats.outOfOrderAccepted += ooo;
    stats.tooOldRejected += rejected.too_old ?? 0;
    stats.tooFarFutureRejected += rejected.too_far_future ?? 0;
    stats.duplicatesRejected += rejected.duplicate_timestamp ?? 0;
    stats.seriesLimitRejected += rejected.too_many_series ?? 0;
    this.rollback();
    if (head.log !== null && kept > 0) await head.log.durable();
    const result: CommitResult = { appended: kept + sameDuplicates, rejected };
    if (rejected.too_old) result.oldestAccepted = minValid;
    if (rejected.too_far_future) result.maxFutureMs = head.maxFutureMs;
    if (limitedMetrics.length > 0) result.limitedMetrics = limitedMetrics;
    return result;
  }

  /**
   * Judges every buffered sample against the head and the batch itself; accepted ones are
   * compacted to the front of the buffers (how many: `kept`), refused ones counted in `rejected`.
   * (A method of its own: inside the whole commit, V8 ran out of inlining budget and handed each
   * timestamp and value to `verdict` as heap numbers, garbage for every sample.)
   */
  private judge(
    minValid: number,
    rejected: Partial<Record<RejectReason, number>>,
    fresh: MemSeries[],
  ): { kept: number; sameDuplicates: number; ooo: number } {
    const head = this.head;
    const maxValid = head.maxValidTime();
    // Each series remembers its newest accepted sample of this batch (no Map per commit).
    const commitId = ++commitCounter;
    let kept = 0;
    let sameDuplicates = 0;
    let ooo = 0;
    const { columns } = head;
    const { refs, ts, vs } = this;
    for (let i = 0; i < this.n; i++) {
      const ref = refs[i]!;
      const t = ts[i]!;
      const v = vs[i]!;
      let verdict = head.verdict(ref, t, v, minValid, maxValid);
      const p = columns.commit[ref] === commitId ? columns.index[ref]! : -1;
      if (p >= 0 && t <= ts[p]!) {
        // Judged against the batch itself as well as the head.
        const pt = ts[p]!;
        if (t === pt) verdict = sameFloatBits(v, vs[p]!) ? 'same_duplicate' : 'duplicate_timestamp';
        else if (verdict === 'in_order') verdict = 'out_of_order_ok';
      }
      if (verdict === 'in_order' || verdict === 'out_of_order_ok') {
        if (verdict === 'out_of_order_ok') ooo++;
        refs[kept] = ref;
        ts[kept] = t;
        vs[kept] = v;
        if (p < 0 && head.unlogged > 0) {
          const s = head.seriesByRef(ref)!;
          if (!s.logged) fresh.push(s);
        }
        if (p < 0 || t > ts[p]!) {
          columns.commit[ref] = commitId;
          columns.index[ref] = kept;
        }
        kept++;
      } else if (verdict === 'same_duplicate') sameDuplicates++;
      else rejected[verdict] = (rejected[verdict] ?? 0) + 1;
    }
    return { kept, sameDuplicates, ooo };
  }

  /** Stores the first `kept` buffered samples (judged, and in the log). */
  private apply(kept: number): void {
    const head = this.head;
    const { refs, ts, vs } = this;
    for (let i = 0; i < kept; i++) head.store(refs[i]!, ts[i]!, vs[i]!);
  }

  rollback(): void {
    this.n = 0;
    if (this.refs.length > 0 && spares.length < MAX_SPARES)
      spares.push({ refs: this.refs, ts: this.ts, vs: this.vs });
    this.refs = NONE.refs;
    this.ts = NONE.ts;
    this.vs = NONE.vs;
    this.pendingMeta.clear();
    this.limitedSamples = 0;
    this.limited.clear();
  }

  /**
   * The log records of the first `kept` buffered samples: the series new to the log (`fresh`),
   * samples, metadata.
   */
  private records(kept: number, fresh: readonly MemSeries[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (fresh.length > 0) {
      const w = new ByteWriter(256);
      encodeSeries(
        w,
        fresh.map((s): SeriesEntry => ({ ref: s.ref, labels: s.labels })),
      );
      out.push(w.bytes());
    }
    if (kept > 0) {
      // Shared: the log write is synchronous, so the buffer is free again when commit goes on.
      sampleWriter.reset();
      encodeSamples(sampleWriter, this.refs, this.ts, this.vs, kept);
      out.push(sampleWriter.bytes());
    }
    if (this.pendingMeta.size > 0) {
      const w = new ByteWriter(256);
      encodeMetadata(w, this.pendingMeta);
      out.push(w.bytes());
    }
    return out;
  }

  private grow(): void {
    const spare = this.n === 0 ? spares.pop() : undefined;
    if (spare !== undefined) {
      this.refs = spare.refs;
      this.ts = spare.ts;
      this.vs = spare.vs;
      return;
    }
    const size = Math.max(64, this.refs.length * 2);
    this.refs = grown(this.refs, size);
    this.ts = grown(this.ts, size);
    this.vs = grown(this.vs, size);
  }
}
