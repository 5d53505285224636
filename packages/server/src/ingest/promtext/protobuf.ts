/**
 * The Prometheus protobuf exposition (`io.prometheus.client.MetricFamily` messages, each preceded
 * by its length as a varint: "delimited"), as pushed by clients with
 * `Content-Type: application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
 * encoding=delimited`. Field numbers from Prometheus' client_model metrics.proto. Classic
 * histograms and summaries are expanded into their `_bucket`/`_sum`/`_count` and quantile
 * samples. Unlike Pushgateway 1.5, a malformed message is a 400, never a crash.
 */

import type { Label } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import { IngestError } from '../errors.js';
import { I64, LEN, ProtoError, ProtoReader, VARINT } from '../protobuf/reader.js';
import { formatLe } from '../series/le.js';
import type { ExposedFamily, ExposedSample, Exposition } from './family.js';

const key = (field: number, wire: number): number => (field << 3) | wire;

/** client_model MetricType: COUNTER, GAUGE, SUMMARY, UNTYPED, HISTOGRAM, GAUGE_HISTOGRAM. */
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'summary', 'unknown', 'histogram', 'histogram'];

export function parseDelimitedProtobuf(buf: Uint8Array): Exposition {
  const r = new ProtoReader(buf);
  const families: ExposedFamily[] = [];
  try {
    while (r.pos < r.buf.length) {
      const end = r.lenEnd();
      families.push(readFamily(r, end));
      if (r.pos !== end) throw new ProtoError('a field runs past the end of its MetricFamily');
    }
  } catch (err) {
    if (err instanceof ProtoError) {
      throw new IngestError('bad_request', `cannot decode delimited MetricFamily messages: ${err.message}`);
    }
    throw err;
  }
  return { families, issues: [] };
}

function until(r: ProtoReader, end: number, f: (tag: number) => void): void {
  while (r.pos < end) f(r.tag());
  if (r.pos !== end) throw new ProtoError(`a field runs past the end of its message at byte ${r.pos}`);
}

function readFamily(r: ProtoReader, end: number): ExposedFamily {
  const f = { name: '', type: 'unknown' as MetricType, help: '', samples: [] as ExposedSample[] };
  const metrics: [number, number][] = [];
  let typeNumber = 3;
  until(r, end, (tag) => {
    if (tag === key(1, LEN)) f.name = r.string();
    else if (tag === key(2, LEN)) f.help = r.string();
    else if (tag === key(3, VARINT)) typeNumber = r.varint();
    else if (tag === key(4, LEN)) {
      const e = r.lenEnd();
      metrics.push([r.pos, e]); // read once the family's name and type are known
      r.pos = e;
    } else r.skip(tag & 7);
  });
  f.type = TYPES[typeNumber] ?? 'unknown';
  for (const [s, e] of metrics) {
    r.pos = s;
    readMetric(r, e, f);
  }
  r.pos = end;
  return f;
}

function readMetric(r: ProtoReader, end: number, f: ExposedFamily): void {
  const labels: Label[] = [];
  let timestamp: number | null = null;
  const out: { suffix: string; extra: Label | null; value: number }[] = [];
  until(r, end, (tag) => {
    const field = tag >>> 3;
    if (tag === key(1, LEN)) {
      let name = '';
      let value = '';
      until(r, r.lenEnd(), (t) => {
        if (t === key(1, LEN)) name = r.string();
        else if (t === key(2, LEN)) value = r.string();
        else r.skip(t & 7);
      });
      labels.push({ name, value });
    } else if ((field === 2 || field === 3 || field === 5) && (tag & 7) === LEN) {
      // gauge, counter, untyped: value = 1
      let v = 0;
      until(r, r.lenEnd(), (t) => {
        if (t === key(1, I64)) v = r.double();
        else r.skip(t & 7);
      });
      out.push({ suffix: '', extra: null, value: v });
    } else if (tag === key(4, LEN)) readSummary(r, r.lenEnd(), out);
    else if (tag === key(7, LEN)) readHistogram(r, r.lenEnd(), out);
    else if (tag === key(6, VARINT)) timestamp = r.varint();
    else r.skip(tag & 7);
  });
  for (const o of out) {
    const ls = o.extra === null ? labels : [...labels, o.extra];
    f.samples.push({ name: f.name + o.suffix, labels: ls, value: o.value, timestamp });
  }
}

type Out = { suffix: string; extra: Label | null; value: number }[];

function readSummary(r: ProtoReader, end: number, out: Out): void {
  let count = 0;
  let sum = 0;
  until(r, end, (tag) => {
    if (tag === key(1, VARINT)) count = r.varint();
    else if (tag === key(2, I64)) sum = r.double();
    else if (tag === key(3, LEN)) {
      let q = 0;
      let v = 0;
      until(r, r.lenEnd(), (t) => {
        if (t === key(1, I64)) q = r.double();
        else if (t === key(2, I64)) v = r.double();
        else r.skip(t & 7);
      });
      out.push({ suffix: '', extra: { name: 'quantile', value: String(q) }, value: v });
    } else r.skip(tag & 7);
  });
  out.push({ suffix: '_sum', extra: null, value: sum }, { suffix: '_count', extra: null, value: count });
}

function readHistogram(r: ProtoReader, end: number, out: Out): void {
  let count = 0;
  let sum = 0;
  let hasInf = false;
  until(r, end, (tag) => {
    if (tag === key(1, VARINT)) count = r.varint();
    else if (tag === key(4, I64)) count = r.double();
    else if (tag === key(2, I64)) sum = r.double();
    else if (tag === key(3, LEN)) {
      let c = 0;
      let le = 0;
      until(r, r.lenEnd(), (t) => {
        if (t === key(1, VARINT)) c = r.varint();
        else if (t === key(4, I64)) c = r.double();
        else if (t === key(2, I64)) le = r.double();
        else r.skip(t & 7);
      });
      if (le === Number.POSITIVE_INFINITY) hasInf = true;
      out.push({ suffix: '_bucket', extra: { name: 'le', value: formatLe(le) }, value: c });
    } else r.skip(tag & 7);
  });
  if (!hasInf) out.push({ suffix: '_bucket', extra: { name: 'le', value: '+Inf' }, value: count });
  out.push({ suffix: '_sum', extra: null, value: sum }, { suffix: '_count', extra: null, value: count });
}
