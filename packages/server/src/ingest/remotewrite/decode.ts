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
import { type ParsedPush, type PointIssue, SeriesChecker } from '../series/check.js';

/** A decoded remote write request, with what the 2.0 response headers report. */
export interface ParsedRemoteWrite extends ParsedPush {
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

/** Mutable counters shared by the 1.0 and 2.0 decoders. */
interface Tally {
  samples: number;
  histograms: number;
  exemplars: number;
  series: number;
}

/** Decodes an uncompressed 1.0 `WriteRequest`. Malformed protobuf is a 400 for the whole request. */
export function decodeRemoteWriteV1(buf: Uint8Array, limits: IngestLimits): ParsedRemoteWrite {
  const r = new ProtoReader(buf);
  const batch = new SampleBatch();
  const issues: PointIssue[] = [];
  const check = new SeriesChecker(limits);
  const tally: Tally = { samples: 0, histograms: 0, exemplars: 0, series: 0 };
  const pairs: Label[] = [];
  try {
    while (r.pos < r.buf.length) {
      const tag = r.tag();
      if (tag === ((1 << 3) | LEN)) {
        const end = r.lenEnd();
        pairs.length = 0;
        const first = batch.length;
        const histogramsBefore = tally.histograms;
        readSeriesV1(r, end, pairs, batch, tally);
        settle(histogramsBefore, check, pairs, batch, first, tally, issues, limits);
      } else if (tag === ((3 << 3) | LEN)) {
        readMetadataV1(r, r.lenEnd(), batch);
      } else r.skip(tag & 7);
    }
  } catch (err) {
    throw malformed(err, 'prometheus.WriteRequest');
  }
  return { total: tally.series, batch, issues, ...countsOf(tally) };
}

function readSeriesV1(r: ProtoReader, end: number, pairs: Label[], batch: SampleBatch, tally: Tally): void {
  // Samples are pushed with an empty label set first and given their labels once the series is
  // complete: the wire format does not promise that labels come before samples.
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
      readSample(r, r.lenEnd(), batch);
      tally.samples++;
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

const NATIVE_HISTOGRAMS = {
  field: 'histograms',
  message: 'native histograms are not supported (send classic histograms: _bucket, _sum, _count)',
};

const NO_LABELS: readonly Label[] = [];

/** Reads a `Sample` (value = 1, timestamp = 2, start_timestamp = 3 in 2.0). */
function readSample(r: ProtoReader, end: number, batch: SampleBatch): void {
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === ((1 << 3) | I64)) v = r.double();
    else if (tag === ((2 << 3) | VARINT)) t = r.varint();
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new ProtoError('a field runs past the end of its Sample');
  batch.push(NO_LABELS, t, v);
}

/**
 * Gives the samples pushed since `first` their series' labels, or takes them back (and records
 * an issue) when the series is invalid or carried native histograms.
 */
function settle(
  histogramsBefore: number,
  check: SeriesChecker,
  pairs: Label[],
  batch: SampleBatch,
  first: number,
  tally: Tally,
  issues: PointIssue[],
  limits: IngestLimits,
): void {
  const index = tally.series++;
  const bad = histogramsBefore < tally.histograms ? NATIVE_HISTOGRAMS : check.check(pairs);
  if (bad !== null) {
    batch.truncate(first);
    issues.push({ index, ...bad });
    return;
  }
  if (batch.length > limits.maxMetricsPerRequest) {
    throw new IngestError(
      'bad_request',
      `too many samples in request: more than ${limits.maxMetricsPerRequest} (--max-metrics-per-request)`,
    );
  }
  const labels = pairs.slice();
  for (let i = first; i < batch.length; i++) batch.labels[i] = labels;
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
  if (name !== '') batch.metadata.set(name, { type: TYPE_BY_NUMBER[type] ?? 'unknown', help, unit });
}

/** Decodes an uncompressed 2.0 `Request` (symbols table + series of symbol references). */
export function decodeRemoteWriteV2(buf: Uint8Array, limits: IngestLimits): ParsedRemoteWrite {
  const r = new ProtoReader(buf);
  const batch = new SampleBatch();
  const issues: PointIssue[] = [];
  const check = new SeriesChecker(limits);
  const tally: Tally = { samples: 0, histograms: 0, exemplars: 0, series: 0 };
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
    const pairs: Label[] = [];
    for (let k = 0; k < seriesAt.length; k += 2) {
      r.pos = seriesAt[k]!;
      const end = seriesAt[k + 1]!;
      pairs.length = 0;
      const first = batch.length;
      const histogramsBefore = tally.histograms;
      const meta = readSeriesV2(r, end, symbols, pairs, batch, tally);
      if (typeof meta === 'string') {
        batch.truncate(first);
        issues.push({ index: tally.series++, field: 'labels_refs', message: meta });
        continue;
      }
      settle(histogramsBefore, check, pairs, batch, first, tally, issues, limits);
      if (meta !== null && pairs.length > 0 && pairs[0]!.name === '__name__') {
        batch.metadata.set(familyOf(pairs[0]!.value, meta.type), meta);
      }
    }
  } catch (err) {
    throw malformed(err, 'io.prometheus.write.v2.Request');
  }
  return { total: tally.series, batch, issues, ...countsOf(tally) };
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
  batch: SampleBatch,
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
      readSample(r, r.lenEnd(), batch);
      tally.samples++;
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
