/**
 * What the write-ahead log carries (see FORMAT.md): series records that give a label set its ref,
 * sample records, and metadata records. The log mechanics (framing, checksums, segments) are in
 * `wal/`; this file only turns records into bytes and back.
 */

import type { Label, Labels } from '../../model/labels.js';
import type { MetricMetadata, MetricType } from '../../model/sample.js';
import { ByteReader, type ByteWriter, RecordDecodeError } from './buffer.js';

/** Record type ids (byte 0 of a record). Ids are never reused. */
export const RecordType = {
  SERIES: 1,
  SAMPLES: 2,
  METADATA: 3,
} as const;

/** Bytes one sample takes in a sample record: ref u32, t f64, v f64. */
export const SAMPLE_BYTES = 20;

/** A series record entry. */
export interface SeriesEntry {
  readonly ref: number;
  readonly labels: Labels;
}

/** Appends a series record holding every entry. */
export function encodeSeries(w: ByteWriter, entries: readonly SeriesEntry[]): void {
  w.u8(RecordType.SERIES);
  w.uvarint(entries.length);
  for (const e of entries) {
    w.uvarint(e.ref);
    w.uvarint(e.labels.length);
    for (const l of e.labels) {
      w.str(l.name);
      w.str(l.value);
    }
  }
}

export function decodeSeries(r: ByteReader): SeriesEntry[] {
  const n = r.uvarint();
  const out: SeriesEntry[] = [];
  for (let i = 0; i < n; i++) {
    const ref = r.uvarint();
    const nl = r.uvarint();
    const labels: Label[] = [];
    for (let j = 0; j < nl; j++) labels.push({ name: r.str(), value: r.str() });
    out.push({ ref, labels });
  }
  return out;
}

/**
 * Appends a sample record of `n` samples taken from parallel arrays. Fixed-width fields: a
 * record is decoded at replay speed (tens of millions of samples per second) and the log is
 * deleted once its samples are in compressed chunks, so its size matters little.
 */
export function encodeSamples(
  w: ByteWriter,
  refs: Uint32Array,
  ts: Float64Array,
  vs: Float64Array,
  n: number,
): void {
  w.ensure(5 + n * SAMPLE_BYTES);
  w.u8(RecordType.SAMPLES);
  w.u32(n);
  w.pos = writeSampleRows(w.view, w.pos, refs, ts, vs, n);
}

/**
 * The rows of a sample record from `view[p]` on; returns where they end. A function of its own:
 * V8 compiles a long loop on stack, and inside `encodeSamples` that code stopped at the first
 * statement after the loop for want of type feedback, once per record, for the first ~120
 * records of a process (`--trace-deopt`), recompiling each time.
 */
function writeSampleRows(
  view: DataView,
  p: number,
  refs: Uint32Array,
  ts: Float64Array,
  vs: Float64Array,
  n: number,
): number {
  for (let i = 0; i < n; i++) {
    view.setUint32(p, refs[i]!, true);
    view.setFloat64(p + 4, ts[i]!, true);
    view.setFloat64(p + 12, vs[i]!, true);
    p += SAMPLE_BYTES;
  }
  return p;
}

/** Calls `fn` for each sample of a sample record (no allocation per sample). */
export function decodeSamples(r: ByteReader, fn: (ref: number, t: number, v: number) => void): number {
  const n = r.u32();
  if (r.pos + n * SAMPLE_BYTES > r.end)
    throw new RecordDecodeError('cannot decode samples: record ends early');
  const view = r.view;
  let p = r.pos;
  for (let i = 0; i < n; i++) {
    fn(view.getUint32(p, true), view.getFloat64(p + 4, true), view.getFloat64(p + 12, true));
    p += SAMPLE_BYTES;
  }
  r.pos = p;
  return n;
}

const TYPES: readonly MetricType[] = ['unknown', 'counter', 'gauge', 'histogram', 'summary'];

/** Appends a metadata record. */
export function encodeMetadata(w: ByteWriter, entries: ReadonlyMap<string, MetricMetadata>): void {
  w.u8(RecordType.METADATA);
  w.uvarint(entries.size);
  for (const [metric, m] of entries) {
    w.str(metric);
    w.u8(Math.max(0, TYPES.indexOf(m.type)));
    w.str(m.help);
    w.str(m.unit);
  }
}

export function decodeMetadata(r: ByteReader): Map<string, MetricMetadata> {
  const n = r.uvarint();
  const out = new Map<string, MetricMetadata>();
  for (let i = 0; i < n; i++) {
    const metric = r.str();
    const type = TYPES[r.u8()] ?? 'unknown';
    out.set(metric, { type, help: r.str(), unit: r.str() });
  }
  return out;
}

/** Handlers for {@link decodeRecord}; one per record type. */
export interface RecordHandlers {
  series(entries: SeriesEntry[]): void;
  sample(ref: number, t: number, v: number): void;
  metadata(entries: Map<string, MetricMetadata>): void;
}

/** Decodes one record and dispatches it. Throws {@link RecordDecodeError} on malformed bytes. */
export function decodeRecord(rec: Uint8Array, h: RecordHandlers): void {
  const r = new ByteReader(rec);
  const type = r.u8();
  switch (type) {
    case RecordType.SERIES:
      h.series(decodeSeries(r));
      break;
    case RecordType.SAMPLES:
      decodeSamples(r, h.sample);
      break;
    case RecordType.METADATA:
      h.metadata(decodeMetadata(r));
      break;
    default:
      throw new RecordDecodeError(`cannot decode record: unknown type ${type}`);
  }
  if (!r.done) throw new RecordDecodeError(`cannot decode record of type ${type}: trailing bytes`);
}
