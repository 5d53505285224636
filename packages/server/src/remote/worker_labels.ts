/**
 * Labels and metadata in the forwarding worker. The log's own records give most of them: a
 * series record comes before the first samples of its series, in the same write, and metadata
 * records follow every commit that set some. What the worker has not read (series logged before
 * its position, or in a segment truncated away after persistence) it asks the main thread for:
 * the database keeps every ref's labels for as long as the process runs (`DB.seriesLabels`).
 *
 * The question is asked synchronously (post, then `Atomics.wait` until the main thread has
 * replied, then `receiveMessageOnPort`), so labels stay a plain lookup inside the log reader's
 * loop. A ref not known yet is asked for with every other unknown ref of the sample record
 * being read, so a worker that starts in the middle of the log waits for the main thread once
 * per record, not once per series; the record is only scanned then (scanning every record,
 * every round, was a tenth of the worker's CPU in a profile).
 */

import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { Labels } from '../model/labels.js';
import type { MetricMetadata } from '../model/sample.js';
import { ByteReader } from '../tsdb/record/buffer.js';
import { decodeMetadata, decodeSamples, decodeSeries, RecordType } from '../tsdb/record/record.js';
import type { LabelsReply, LabelsRequest } from './protocol.js';

/**
 * Labels kept beyond this many are dropped (and asked for again when next needed). They copy
 * what the head holds (about a kilobyte a series of ten labels, decoded from the log), so the
 * bound keeps the worker's memory to about 100 MB; 1.0 needs a series' labels once per target
 * (its encoded labels are kept apart, see encode.ts), 2.0 for every request.
 */
const MAX_CACHED = 100_000;
/**
 * The main thread answers between two of its tasks; one that takes this long is stuck, and the
 * worker fails (loudly: the forwarder logs it and starts a new worker from the saved positions).
 */
const REPLY_TIMEOUT_MS = 120_000;

export class WorkerLabels {
  /** null: the main thread does not know the ref either (its samples are dropped and counted). */
  private readonly labels = new Map<number, Labels | null>();
  private readonly metadata = new Map<string, MetricMetadata | null>();
  /** The sample record being read (a view of the reader's buffer: later reads may overwrite it). */
  private samples: Buffer | null = null;

  constructor(
    private readonly port: MessagePort,
    private readonly replied: Int32Array,
  ) {}

  /**
   * Learns what a log record says before its samples are read: labels from a series record,
   * metadata from a metadata record; a sample record is kept for {@link labelsOf}.
   */
  record(payload: Buffer): void {
    const type = payload[0];
    if (type === RecordType.SAMPLES) this.samples = payload;
    try {
      if (type === RecordType.SERIES) {
        for (const e of decodeSeries(new ByteReader(payload, 1))) this.remember(e.ref, e.labels);
      } else if (type === RecordType.METADATA) {
        for (const [metric, m] of decodeMetadata(new ByteReader(payload, 1))) this.metadata.set(metric, m);
      }
    } catch {
      // An undecodable record (its checksum was right): the main thread answers for its refs.
    }
  }

  /** The labels of a ref (undefined: unknown to the database too). */
  readonly labelsOf = (ref: number): Labels | undefined => {
    if (!this.labels.has(ref)) this.ask(this.unknownWith(ref), []);
    return this.labels.get(ref) ?? undefined;
  };

  /** The metadata of metric families, from the log or else the database (one question for all). */
  readonly metadataOf = (names: readonly string[]): (MetricMetadata | undefined)[] => {
    const missing = new Set(names.filter((n) => !this.metadata.has(n)));
    if (missing.size > 0) this.ask([], [...missing]);
    return names.map((n) => this.metadata.get(n) ?? undefined);
  };

  /** `ref` first, then the other refs of the sample record being read whose labels are unknown. */
  private unknownWith(ref: number): number[] {
    const out = new Set([ref]);
    if (this.samples === null) return [ref];
    try {
      decodeSamples(new ByteReader(this.samples, 1), (r) => {
        if (!this.labels.has(r)) out.add(r);
      });
    } catch {
      // An undecodable record (its checksum was right): `ref` alone is asked for.
    }
    return [...out];
  }

  private remember(ref: number, labels: Labels | null): void {
    if (this.labels.size >= MAX_CACHED) this.labels.clear();
    this.labels.set(ref, labels);
  }

  /**
   * Asks the main thread and waits for its answer (see the top of this file). Only the first
   * ref's "unknown" is kept: the others may come from a buffer overwritten since (labels a ref
   * has are right whatever asked for them; an unknown one would stay unknown).
   */
  private ask(refs: readonly number[], families: readonly string[]): void {
    Atomics.store(this.replied, 0, 0);
    this.port.postMessage({ refs, families } satisfies LabelsRequest);
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) {
        const reply = got.message as LabelsReply;
        for (let i = 0; i < refs.length; i++) {
          const labels = reply.labels[i] ?? null;
          if (labels !== null || i === 0) this.remember(refs[i]!, labels);
        }
        for (let i = 0; i < families.length; i++) this.metadata.set(families[i]!, reply.metadata[i] ?? null);
        return;
      }
      if (Atomics.wait(this.replied, 0, 0, REPLY_TIMEOUT_MS) === 'timed-out') {
        throw new Error(`the main thread did not answer for labels within ${REPLY_TIMEOUT_MS} ms`);
      }
      Atomics.store(this.replied, 0, 0);
    }
  }
}
