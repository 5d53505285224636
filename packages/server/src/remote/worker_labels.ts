/**
 * Labels and metadata in the forwarding worker. The log's own records give most of them: a
 * series record comes before the first samples of its series, in the same write, and metadata
 * records follow every commit that set some. What the worker has not read (series logged before
 * its position, or in a segment truncated away after persistence) it asks the main thread for:
 * the database keeps every ref's labels for as long as the process runs (`DB.seriesLabels`).
 *
 * The question is asked synchronously (post, then `Atomics.wait` until the main thread has
 * replied, then `receiveMessageOnPort`), so labels stay a plain lookup inside the log reader's
 * loop; it is asked once per sample record for all its unknown refs, so a worker that starts
 * in the middle of the log waits for the main thread once per record, not once per series.
 */

import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { Labels } from '../model/labels.js';
import type { MetricMetadata } from '../model/sample.js';
import { ByteReader } from '../tsdb/record/buffer.js';
import { decodeMetadata, decodeSeries, RecordType, SAMPLE_BYTES } from '../tsdb/record/record.js';
import type { LabelsReply, LabelsRequest } from './protocol.js';

/** Labels kept beyond this many are dropped (and asked for again when next needed). */
const MAX_CACHED = 500_000;
/**
 * The main thread answers between two of its tasks; one that takes this long is stuck, and the
 * worker fails (loudly: the forwarder logs it and starts a new worker from the saved positions).
 */
const REPLY_TIMEOUT_MS = 120_000;

export class WorkerLabels {
  /** null: the main thread does not know the ref either (its samples are dropped and counted). */
  private readonly labels = new Map<number, Labels | null>();
  private readonly metadata = new Map<string, MetricMetadata | null>();

  constructor(
    private readonly port: MessagePort,
    private readonly replied: Int32Array,
  ) {}

  /**
   * Learns what a log record says before its samples are read from index `skip` on: labels
   * from a series record, metadata from a metadata record, and for a sample record the labels
   * of all its refs not known yet, in one question.
   */
  record(payload: Buffer, skip: number): void {
    try {
      if (payload[0] === RecordType.SERIES) {
        for (const e of decodeSeries(new ByteReader(payload, 1))) this.remember(e.ref, e.labels);
      } else if (payload[0] === RecordType.METADATA) {
        for (const [metric, m] of decodeMetadata(new ByteReader(payload, 1))) this.metadata.set(metric, m);
      }
    } catch {
      // An undecodable record (its checksum was right): the main thread answers for its refs.
      return;
    }
    if (payload[0] !== RecordType.SAMPLES) return;
    const unknown = new Set<number>();
    const count = payload.readUInt32LE(1);
    for (let i = skip, p = 5 + skip * SAMPLE_BYTES; i < count; i++, p += SAMPLE_BYTES) {
      const ref = payload.readUInt32LE(p);
      if (!this.labels.has(ref)) unknown.add(ref);
    }
    if (unknown.size > 0) this.ask([...unknown], []);
  }

  /** The labels of a ref (undefined: unknown to the database too). */
  readonly labelsOf = (ref: number): Labels | undefined => {
    if (!this.labels.has(ref)) this.ask([ref], []);
    return this.labels.get(ref) ?? undefined;
  };

  /** The metadata of a metric family, from the log or else the database. */
  readonly metadataOf = (family: string): MetricMetadata | undefined => {
    if (!this.metadata.has(family)) this.ask([], [family]);
    return this.metadata.get(family) ?? undefined;
  };

  private remember(ref: number, labels: Labels | null): void {
    if (this.labels.size >= MAX_CACHED) this.labels.clear();
    this.labels.set(ref, labels);
  }

  /** Asks the main thread and waits for its answer (see the top of this file). */
  private ask(refs: readonly number[], families: readonly string[]): void {
    Atomics.store(this.replied, 0, 0);
    this.port.postMessage({ refs, families } satisfies LabelsRequest);
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got !== undefined) {
        const reply = got.message as LabelsReply;
        for (let i = 0; i < refs.length; i++) this.remember(refs[i]!, reply.labels[i] ?? null);
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
