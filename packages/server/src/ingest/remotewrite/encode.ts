/**
 * Encodes Prometheus remote write requests (1.0 `prometheus.WriteRequest` and 2.0
 * `io.prometheus.write.v2.Request`), uncompressed; {@link compressSnappy} makes the body. Used by
 * the tests, the fuzzer and the benchmark, and meant for the remote-write forwarder.
 */

import type { Labels } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import { ProtoWriter } from '../protobuf/writer.js';

/** One series with its samples, as a sender batches them. */
export interface WriteSeries {
  readonly labels: Labels;
  readonly ts: ArrayLike<number>;
  readonly vs: ArrayLike<number>;
}

/** Metadata of one metric family, sent beside the series in 1.0 and per series in 2.0. */
export interface WriteMetadata {
  readonly metric: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

/** Prometheus' `MetricMetadata.MetricType` numbers (the same in 1.0 and 2.0). */
export const METRIC_TYPE_NUMBER: Readonly<Record<MetricType, number>> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  summary: 5,
};

/** A 1.0 `TimeSeries`' label fields (`Label` messages, field 1), into `w`. */
export function writeLabelsV1(w: ProtoWriter, labels: Labels): void {
  for (const l of labels) {
    const lm = w.beginMessage(1);
    w.string(1, l.name);
    w.string(2, l.value);
    w.endMessage(lm);
  }
}

/** A 1.0 `TimeSeries`' samples `[from, to)` of `ts`/`vs` (`Sample` messages, field 2), into `w`. */
export function writeSamplesV1(
  w: ProtoWriter,
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) {
    const sm = w.beginMessage(2);
    w.double(1, vs[i]!);
    w.varintField(2, ts[i]!);
    w.endMessage(sm);
  }
}

/** Encodes a 1.0 `WriteRequest`, appending into `w` (reset first) and returning its bytes. */
export function encodeWriteRequestV1(
  series: readonly WriteSeries[],
  metadata: readonly WriteMetadata[] = [],
  w = new ProtoWriter(64 * 1024),
): Buffer {
  w.reset();
  for (const s of series) {
    const ts = w.beginMessage(1);
    writeLabelsV1(w, s.labels);
    writeSamplesV1(w, s.ts, s.vs, 0, s.ts.length);
    w.endMessage(ts);
  }
  for (const m of metadata) {
    const mm = w.beginMessage(3);
    w.varintField(1, METRIC_TYPE_NUMBER[m.type]);
    w.string(2, m.metric);
    if (m.help !== '') w.string(4, m.help);
    if (m.unit !== '') w.string(5, m.unit);
    w.endMessage(mm);
  }
  return w.finish();
}

/**
 * Encodes a 2.0 `Request`: label names and values, help and unit go to the symbol table once
 * (symbol 0 is the empty string, as the spec requires). `metadata` is keyed by metric name.
 */
export function encodeWriteRequestV2(
  series: readonly WriteSeries[],
  metadata: ReadonlyMap<string, WriteMetadata> = new Map(),
  w = new ProtoWriter(64 * 1024),
): Buffer {
  const symbols = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let r = symbols.get(s);
    if (r === undefined) {
      r = symbols.size;
      symbols.set(s, r);
    }
    return r;
  };
  const body = new ProtoWriter(64 * 1024);
  for (const s of series) {
    const tm = body.beginMessage(5);
    const refs = body.beginMessage(1);
    let name = '';
    for (const l of s.labels) {
      if (l.name === '__name__') name = l.value;
      body.varint(ref(l.name));
      body.varint(ref(l.value));
    }
    body.endMessage(refs);
    for (let i = 0; i < s.ts.length; i++) {
      const sm = body.beginMessage(2);
      body.double(1, s.vs[i]!);
      body.varintField(2, s.ts[i]!);
      body.endMessage(sm);
    }
    const m = metadata.get(name);
    if (m !== undefined) {
      const mm = body.beginMessage(5);
      body.varintField(1, METRIC_TYPE_NUMBER[m.type]);
      if (m.help !== '') body.varintField(3, ref(m.help));
      if (m.unit !== '') body.varintField(4, ref(m.unit));
      body.endMessage(mm);
    }
    body.endMessage(tm);
  }
  w.reset();
  for (const s of symbols.keys()) w.string(4, s);
  w.bytesRaw(body.finish());
  return w.finish();
}
