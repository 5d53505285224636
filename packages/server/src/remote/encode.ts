/**
 * The forwarder's request bodies, snappy-compressed: 2.0 through the ingest package's encoder
 * (`encodeWriteRequestV2`, with each series' metadata); 1.0 through {@link CachedV1Encoder}, the
 * same `prometheus.WriteRequest` bytes as `encodeWriteRequestV1` but with each series' label
 * messages encoded once and kept by log ref. A forwarding round mostly holds one or two samples
 * of each of thousands of series, so encoding the label strings again for every request was the
 * largest part of the forwarder's CPU in a profile (UTF-8 writes of the same strings, every
 * round). 1.0 carries no metadata: 1.0 senders send it apart, and TinyObs does not.
 */

import { ProtoWriter } from '../ingest/protobuf/writer.js';
import { encodeWriteRequestV2, type WriteMetadata, type WriteSeries } from '../ingest/remotewrite/encode.js';
import { compressSnappy } from '../ingest/remotewrite/snappy.js';

/** A remote write message version on the wire. */
export type WireMessage = 'v1' | 'v2';

/** The snappy-compressed body of a batch in `message`. */
export function encodeBody(
  message: WireMessage,
  series: readonly RefSeries[],
  metadata: ReadonlyMap<string, WriteMetadata>,
  v1: CachedV1Encoder,
  w: ProtoWriter,
): Buffer {
  return compressSnappy(message === 'v1' ? v1.encode(series, w) : encodeWriteRequestV2(series, metadata, w));
}

/** A batch's series with the log ref its labels are cached by. */
export interface RefSeries extends WriteSeries {
  readonly ref: number;
}

/** Cached label encodings beyond this many are dropped (and encoded again when next needed). */
const MAX_CACHED = 200_000;

export class CachedV1Encoder {
  private readonly labels = new Map<number, Buffer>();
  private readonly scratch = new ProtoWriter(4096);

  /** Encodes a 1.0 `WriteRequest` of `series` into `w` (reset first) and returns its bytes. */
  encode(series: readonly RefSeries[], w: ProtoWriter): Buffer {
    w.reset();
    for (const s of series) {
      const ts = w.beginMessage(1);
      w.bytesRaw(this.labelBytes(s));
      for (let i = 0; i < s.ts.length; i++) {
        const sm = w.beginMessage(2);
        w.double(1, s.vs[i]!);
        w.varintField(2, s.ts[i]!);
        w.endMessage(sm);
      }
      w.endMessage(ts);
    }
    return w.finish();
  }

  /** The `TimeSeries.labels` fields of a series, encoded once per ref. */
  private labelBytes(s: RefSeries): Buffer {
    let b = this.labels.get(s.ref);
    if (b !== undefined) return b;
    const w = this.scratch;
    w.reset();
    for (const l of s.labels) {
      const lm = w.beginMessage(1);
      w.string(1, l.name);
      w.string(2, l.value);
      w.endMessage(lm);
    }
    b = Buffer.from(w.finish());
    if (this.labels.size >= MAX_CACHED) this.labels.clear();
    this.labels.set(s.ref, b);
    return b;
  }
}
