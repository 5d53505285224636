/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`)
 * decoded into a {@link SampleBatch}: a pure function from the uncompressed protobuf bytes.
 *
 * Samples keep their value bits, so Prometheus' staleness marker (a NaN with a fixed payload)
 * arrives as sent. A series whose labels break the rules (see series/check.ts) is refused with its
 * samples and reported; the other series of the request are kept. Native histograms are refused
 * the same way (TinyObs stores classic histograms only); exemplars are ignored.
 */

import type { Label } from '../../model/labels.js';
import type { MetricMetadata, MetricType } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import { IngestError } from '../errors.js';
import type { IngestLimits } from '../limits.js';
import { expectWire, I64, LEN, ProtoError, ProtoReader, VARINT } from '../protobuf/reader.js';
import type { RawSeriesCache } from '../series/raw_cache.js';
import { BatchSlots, type SeriesSlot } from '../series/slot.js';

/** A decoded remote write request, with what the 2.0 response headers report. */
export interface ParsedRemoteWrite {
  /** The valid samples, and the refused series in `batch.issues` (where = `timeseries[i]`). */
  readonly batch: SampleBatch;
  /** The batch's series that came from (or went into) the cache, if one was given. */
  readonly slots: BatchSlots;
  /** Float samples in the request (stored or not). */
  readonly samples: number;
  /** Native histogram samples in the request (all refused). */
  readonly histograms: number;
  /** Exemplars in the request (all ignored). */
  readonly exemplars: number;
}

const TYPE_BY_NUMBER: readonly MetricType[] = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'histogram', // gauge histogram
  'summary',
  'gauge', // info
  'gauge', // stateset
];

/** Mutable counters shared by the 1.0 and 2.0 decoders, and the current series' samples. */
interface Tally {
  samples: number;
  histograms: number;
  exemplars: number;
  series: number;
  /** Samples of the series being read: labels may follow them on the wire. */
  n: number;
  ts: Float64Array;
  /** A Float64Array keeps the staleness marker's NaN payload. */
  vs: Float64Array;
}

function newTally(): Tally {
  return {
    samples: 0,
    histograms: 0,
    exemplars: 0,
    series: 0,
    n: 0,
    ts: new Float64Array(64),
    vs: new Float64Array(64),
  };
}

/**
 * Decodes an uncompressed 1.0 `WriteRequest`. Malformed protobuf is a 400 for the whole request.
 * With a `cache`, a series whose label fields are byte for byte those of a series seen before
 * skips label decoding and validation.
 */
export function decodeRemoteWriteV1(
  buf: Uint8Array,
  limits: IngestLimits,
  cache?: RawSeriesCache,
): ParsedRemoteWrite {
  const r = new ProtoReader(buf);
  const batch = new SampleBatch(limits);
  const slots = new BatchSlots(batch);
  const tally = newTally();
  try {
    while (r.pos < r.buf.length) {
      const tag = r.tag();
      if (tag === ((1 << 3) | LEN)) {
        const end = r.lenEnd();
        const start = r.pos;
        const labelsEnd = cache === undefined ? -1 : leadingLabelsEnd(buf, start, end);
        const slot = labelsEnd > start ? cache!.get(buf, start, labelsEnd) : undefined;
        // A cached series has no label fields left to read (see leadingLabelsEnd).
        const pairs: Label[] = slot === undefined ? [] : NO_LABELS;
        tally.n = 0;
        const histogramsBefore = tally.histograms;
        if (slot !== undefined) r.pos = labelsEnd;
        readSeriesV1(r, end, pairs, tally);
        const s = settle(histogramsBefore, slot ?? pairs, batch, slots, tally);
        if (slot === undefined && s >= 0 && labelsEnd > start) {
          slots.track(cache!.set(buf, start, labelsEnd, batch.labelsOf(s)), s);
        }
      } else if (tag === ((3 << 3) | LEN)) {
        readMetadataV1(r, r.lenEnd(), batch);
      } else r.skip(tag & 7);
    }
  } catch (err) {
    throw malformed(err, 'prometheus.WriteRequest');
  }
  batch.total = tally.series;
  return { batch, slots, ...countsOf(tally) };
}

/**
 * Where the label fields at the front of the `TimeSeries` in `buf[start, end)` end, when every
 * label field is there (as every sender writes them); -1 when a label field comes later, which
 * the cache cannot key.
 */
function leadingLabelsEnd(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  let labelsEnd = -1;
  let inLabels = true;
  while (p < end) {
    const fieldStart = p;
    const tag = buf[p++]!;
    // Every field of a TimeSeries is length-delimited, with a one-byte tag.
    if ((tag & 7) !== LEN || tag > 0x7f) return -1;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= end || shift > 21) return -1;
      const c = buf[p++]!;
      len |= (c & 0x7f) << shift;
      if (c < 0x80) break;
    }
    if (tag >>> 3 === 1) {
      if (!inLabels) return -1;
    } else if (inLabels) {
      inLabels = false;
      labelsEnd = fieldStart;
    }
    p += len;
    if (p > end) return -1;
  }
  return inLabels ? p : labelsEnd;
}

function readSeriesV1(r: ProtoReader, end: number, pairs: Label[], tally: Tally): void {
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 1) {
      expectWire(tag & 7, LEN, 'TimeSeries.labels');
      const le = r.lenEnd();
      let name = '';
      let value = '';
      while (r.pos < le) {
        const t = r.tag();
        if (t === ((1 << 3) | LEN)) name = r.string();
        else if (t === ((2 << 3) | LEN)) value = r.string();
        else r.skip(t & 7);
      }
      pairs.push({ name, value });
    } else if (field === 2) {
      expectWire(tag & 7, LEN, 'TimeSeries.samples');
      readSample(r, r.lenEnd(), tally);
    } else if (field === 3) {
      tally.exemplars++;
      r.skip(tag & 7);
    } else if (field === 4) {
      tally.histograms++;
      r.skip(tag & 7);
    } else r.skip(tag & 7);
    if (r.pos > end) throw new ProtoError('a field runs past the end of its TimeSeries');
  }
}

/** The labels of a cached series: none are read again (frozen: a push would throw, not corrupt). */
const NO_LABELS = Object.freeze([]) as unknown as Label[];

const NATIVE_HISTOGRAMS = {
  field: 'histograms',
  message: 'native histograms are not supported (send classic histograms: _bucket, _sum, _count)',
};

/** Reads a `Sample` (value = 1, timestamp = 2, start_timestamp = 3 in 2.0) into the tally. */
function readSample(r: ProtoReader, end: number, tally: Tally): void {
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | I64)) v = r.double();
    else if (tag === ((2 << 3) | VARINT)) t = r.varint();
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoError('a field runs past the end of its Sample');
  if (tally.n === tally.ts.length) {
    const ts = new Float64Array(tally.n * 2);
    ts.set(tally.ts);
    const vs = new Float64Array(tally.n * 2);
    vs.set(tally.vs);
    tally.ts = ts;
    tally.vs = vs;
  }
  tally.ts[tally.n] = t;
  tally.vs[tally.n] = v;
  tally.n++;
  tally.samples++;
}

/**
 * Adds the series just read (its labels, or its cached slot) and its samples to the batch, or
 * refuses it (with its index) when its labels are invalid or it carried native histograms.
 * Returns the series' index in the batch, or -1 when it was refused.
 */
function settle(
  histogramsBefore: number,
  series: Label[] | SeriesSlot,
  batch: SampleBatch,
  slots: BatchSlots,
  tally: Tally,
): number {
  // The location is only spelled out for a refusal: most series have none.
  const index = tally.series++;
  if (histogramsBefore < tally.histograms) {
    batch.refuse(`timeseries[${index}]`, NATIVE_HISTOGRAMS);
    return -1;
  }
  const s = Array.isArray(series) ? batch.addSeries(series) : slots.indexOf(series);
  if (typeof s !== 'number') {
    batch.refuse(`timeseries[${index}]`, s);
    return -1;
  }
  for (let i = 0; i < tally.n; i++) {
    const p = batch.add(s, tally.ts[i]!, tally.vs[i]!);
    if (p !== null) {
      batch.refuse(`timeseries[${index}].samples[${i}]`, p);
    }
  }
  return s;
}

function readMetadataV1(r: ProtoReader, end: number, batch: SampleBatch): void {
  let type = 0;
  let name = '';
  let help = '';
  let unit = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | VARINT)) type = r.varint();
    else if (tag === ((2 << 3) | LEN)) name = r.string();
    else if (tag === ((4 << 3) | LEN)) help = r.string();
    else if (tag === ((5 << 3) | LEN)) unit = r.string();
    else r.skip(tag & 7);
  }
  if (name === '') return;
  const p = batch.setMetadata(name, { type: TYPE_BY_NUMBER[type] ?? 'unknown', help, unit });
  if (p !== null) batch.refuse(`metadata ${name}`, p);
}

/** Decodes an uncompressed 2.0 `Request` (symbols table + series of symbol references). */
export function decodeRemoteWriteV2(buf: Uint8Array, limits: IngestLimits): ParsedRemoteWrite {
  const r = new ProtoReader(buf);
  const batch = new SampleBatch(limits);
  const slots = new BatchSlots(batch);
  const tally = newTally();
  const symbols: string[] = [];
  const seriesAt: number[] = [];
  try {
    // Symbols may come after the series that use them: collect both first.
    while (r.pos < r.buf.length) {
      const tag = r.tag();
      if (tag === ((4 << 3) | LEN)) symbols.push(r.string());
      else if (tag === ((5 << 3) | LEN)) {
        const end = r.lenEnd();
        seriesAt.push(r.pos, end);
        r.pos = end;
      } else r.skip(tag & 7);
    }
    for (let k = 0; k < seriesAt.length; k += 2) {
      r.pos = seriesAt[k]!;
      const end = seriesAt[k + 1]!;
      const pairs: Label[] = [];
      tally.n = 0;
      const histogramsBefore = tally.histograms;
      const meta = readSeriesV2(r, end, symbols, pairs, tally);
      if (typeof meta === 'string') {
        batch.refuse(`timeseries[${tally.series++}]`, { field: 'labels_refs', message: meta });
        continue;
      }
      settle(histogramsBefore, pairs, batch, slots, tally);
      const name = pairs.find((l) => l.name === '__name__')?.value;
      if (meta !== null && name !== undefined) {
        const p = batch.setMetadata(familyOf(name, meta.type), meta);
        if (p !== null) batch.refuse(`timeseries[${tally.series - 1}].metadata`, p);
      }
    }
  } catch (err) {
    throw malformed(err, 'io.prometheus.write.v2.Request');
  }
  batch.total = tally.series;
  return { batch, slots, ...countsOf(tally) };
}

/**
 * Reads a 2.0 `TimeSeries`: its labels (resolved through the symbol table) into `pairs`, its
 * samples into the batch. Returns the series' metadata (null when unspecified), or a message when
 * a symbol reference is out of range.
 */
function readSeriesV2(
  r: ProtoReader,
  end: number,
  symbols: readonly string[],
  pairs: Label[],
  tally: Tally,
): MetricMetadata | null | string {
  let refs: number[] = [];
  let meta: MetricMetadata | null = null;
  let problem = '';
  while (r.pos < end) {
    const tag = r.tag();
    const field = tag >>> 3;
    if (field === 1) {
      r.packedVarints(tag & 7, (v) => refs.push(v));
    } else if (field === 2) {
      expectWire(tag & 7, LEN, 'TimeSeries.samples');
      readSample(r, r.lenEnd(), tally);
    } else if (field === 3) {
      tally.histograms++;
      r.skip(tag & 7);
    } else if (field === 4) {
      tally.exemplars++;
      r.skip(tag & 7);
    } else if (field === 5) {
      expectWire(tag & 7, LEN, 'TimeSeries.metadata');
      const me = r.lenEnd();
      let type = 0;
      let help = 0;
      let unit = 0;
      while (r.pos < me) {
        const t = r.tag();
        if (t === ((1 << 3) | VARINT)) type = r.varint();
        else if (t === ((3 << 3) | VARINT)) help = r.varint();
        else if (t === ((4 << 3) | VARINT)) unit = r.varint();
        else r.skip(t & 7);
      }
      if (help >= symbols.length || unit >= symbols.length) problem = 'metadata refers to a missing symbol';
      else if (type !== 0 || help !== 0 || unit !== 0) {
        meta = { type: TYPE_BY_NUMBER[type] ?? 'unknown', help: symbols[help]!, unit: symbols[unit]! };
      }
    } else r.skip(tag & 7);
    if (r.pos > end) throw new ProtoError('a field runs past the end of its TimeSeries');
  }
  if (refs.length % 2 !== 0) return 'labels_refs has an odd number of entries';
  for (let i = 0; i < refs.length; i += 2) {
    const n = refs[i]!;
    const v = refs[i + 1]!;
    if (n >= symbols.length || v >= symbols.length) {
      return `label reference ${Math.max(n, v)} is outside the symbol table (${symbols.length} symbols)`;
    }
    pairs.push({ name: symbols[n]!, value: symbols[v]! });
  }
  refs = [];
  return problem === '' ? meta : problem;
}

const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The family a series' metadata belongs to: `x` for a histogram or summary's `x_bucket` etc. */
function familyOf(name: string, type: MetricType): string {
  if (type !== 'histogram' && type !== 'summary') return name;
  for (const s of FAMILY_SUFFIXES) if (name.endsWith(s)) return name.slice(0, -s.length);
  return name;
}

function countsOf(t: Tally): { samples: number; histograms: number; exemplars: number } {
  return { samples: t.samples, histograms: t.histograms, exemplars: t.exemplars };
}

/** A decoding failure as a 400 naming the message type; other errors pass through. */
function malformed(err: unknown, message: string): unknown {
  if (err instanceof ProtoError) {
    return new IngestError('bad_request', `cannot decode ${message}: ${err.message}`);
  }
  return err;
}
