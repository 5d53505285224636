/**
 * The forwarder's request bodies, snappy-compressed, from a shard's batch of log samples: 2.0
 * through the ingest package's encoder (`encodeWriteRequestV2`, with each series' metadata); 1.0
 * through {@link CachedV1Encoder}, the same `prometheus.WriteRequest` bytes as
 * `encodeWriteRequestV1` but written straight from the batch, with each series' label messages
 * encoded once and kept by log ref. A forwarding round mostly holds one or two samples of each
 * of thousands of series, so encoding the label strings again for every request was the largest
 * part of the forwarder's CPU in a profile (UTF-8 writes of the same strings, every round). 1.0
 * carries no metadata: 1.0 senders send it apart, and TinyObs does not. Compression is
 * synchronous: this runs in the forwarding worker (worker.ts), at its low priority, where libuv's
 * thread pool (shared with ingest's decompression, at normal priority) would only add a hop.
 *
 * A run of samples of one series becomes one series entry, and a series met again later in the
 * batch gets another (Prometheus itself sends one entry per sample; receivers take a request's
 * entries in order, so each series stays in time order). No sorting by series: in a profile that
 * sort cost more than the encoding, and a round mostly holds one sample of each series anyway.
 */

import snappy from 'snappy';
import { ProtoWriter } from '../ingest/protobuf/writer.js';
import {
  encodeWriteRequestV2,
  type WriteMetadata,
  type WriteSeries,
  writeLabelsV1,
  writeSamplesV1,
} from '../ingest/remotewrite/encode.js';
import type { Labels } from '../model/labels.js';

/** A remote write message version on the wire. */
export type WireMessage = 'v1' | 'v2';

/** The samples of one shard in a round, in log order (so in time order per series). */
export interface ShardBatch {
  n: number;
  /** Where this shard's bodies are encoded. */
  readonly writer: ProtoWriter;
  readonly refs: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

/** Labels of a log ref (every ref of a batch has them: unknown ones are dropped before). */
export type LabelsOf = (ref: number) => Labels | undefined;

/** The 2.0 body of a batch; `metadataOf` gives the metadata of the series. */
export function encodeV2Body(
  b: ShardBatch,
  labelsOf: LabelsOf,
  metadataOf: (series: readonly WriteSeries[]) => ReadonlyMap<string, WriteMetadata>,
): Buffer {
  const series = groupRuns(b, labelsOf);
  return snappy.compressSync(encodeWriteRequestV2(series, metadataOf(series), b.writer));
}

/** Cached label encodings beyond this many are dropped (and encoded again when next needed). */
const MAX_CACHED = 200_000;

export class CachedV1Encoder {
  /** By ref (refs are small and dense: an array lookup per series entry instead of a Map's). */
  private labels: (Buffer | undefined)[] = [];
  private cached = 0;
  private readonly scratch = new ProtoWriter(4096);

  /** The snappy-compressed 1.0 body of a batch. */
  body(b: ShardBatch, labelsOf: LabelsOf): Buffer {
    const w = b.writer;
    w.reset();
    for (let i = 0; i < b.n; ) {
      const ref = b.refs[i]!;
      let j = i + 1;
      while (j < b.n && b.refs[j] === ref) j++;
      const ts = w.beginMessage(1);
      w.bytesRaw(this.labelBytes(ref, labelsOf));
      writeSamplesV1(w, b.ts, b.vs, i, j);
      w.endMessage(ts);
      i = j;
    }
    return snappy.compressSync(w.finish());
  }

  /** The `TimeSeries.labels` fields of a series, encoded once per ref. */
  private labelBytes(ref: number, labelsOf: LabelsOf): Buffer {
    let b = this.labels[ref];
    if (b !== undefined) return b;
    const w = this.scratch;
    w.reset();
    writeLabelsV1(w, labelsOf(ref)!);
    b = Buffer.from(w.finish());
    if (this.cached >= MAX_CACHED) {
      this.labels = [];
      this.cached = 0;
    }
    this.labels[ref] = b;
    this.cached++;
    return b;
  }
}

/** The batch as series entries, one per run of samples of one series (see the top). */
function groupRuns(b: ShardBatch, labelsOf: LabelsOf): WriteSeries[] {
  const out: WriteSeries[] = [];
  for (let i = 0; i < b.n; ) {
    const ref = b.refs[i]!;
    let j = i + 1;
    while (j < b.n && b.refs[j] === ref) j++;
    out.push({ labels: labelsOf(ref)!, ts: b.ts.subarray(i, j), vs: b.vs.subarray(i, j) });
    i = j;
  }
  return out;
}
