/**
 * The output of every wire-format parser: samples with their label sets, plus metric metadata.
 * A parser fills one batch; the handler hands it to storage through an Appender.
 */

import type { Labels } from '../model/labels.js';
import type { MetricMetadata } from '../model/sample.js';
import type { Appendable, CommitResult } from '../storage/types.js';

export class SampleBatch {
  readonly labels: Labels[] = [];
  readonly ts: number[] = [];
  /** A Float64Array so that NaN payloads (the stale marker) keep their bits; see model/sample.ts. */
  private vs = new Float64Array(256);
  readonly metadata = new Map<string, MetricMetadata>();

  get length(): number {
    return this.labels.length;
  }

  push(labels: Labels, t: number, v: number): void {
    const i = this.labels.length;
    if (i === this.vs.length) {
      const grown = new Float64Array(i * 2);
      grown.set(this.vs);
      this.vs = grown;
    }
    this.vs[i] = v;
    this.labels.push(labels);
    this.ts.push(t);
  }

  /** Replaces the sample at index i (used for "last point wins" within one request). */
  replace(i: number, t: number, v: number): void {
    this.ts[i] = t;
    this.vs[i] = v;
  }

  /** Drops the samples from index `n` on (a parser taking back the samples of a refused series). */
  truncate(n: number): void {
    this.labels.length = n;
    this.ts.length = n;
  }

  value(i: number): number {
    return this.vs[i]!;
  }
}

/** Appends a batch as one unit: durable and visible together once the promise resolves. */
export async function appendBatch(store: Appendable, batch: SampleBatch): Promise<CommitResult> {
  const app = store.appender();
  try {
    for (let i = 0; i < batch.length; i++) app.append(0, batch.labels[i]!, batch.ts[i]!, batch.value(i));
    for (const [metric, meta] of batch.metadata) app.setMetadata(metric, meta);
  } catch (err) {
    app.rollback();
    throw err;
  }
  return app.commit();
}
