/**
 * Export encoders: one series block at a time to text, so an export of any size streams in
 * constant memory. A block is up to {@link BLOCK_SAMPLES} samples of one series; a long series is
 * written as several blocks (several `jsonl` lines, as VictoriaMetrics' export does).
 */

import { escapeLabelValue, formatValue } from '../exposition/format.js';
import { type Labels, METRIC_NAME, metricName } from '../model/labels.js';
import type { MetricMetadata } from '../model/sample.js';
import type { TransferFormat } from './formats.js';

/** Samples per encoded block: bounds the memory of one step of an export. */
export const BLOCK_SAMPLES = 10_000;

/** Facts the JSON document's `metadata` carries. */
export interface ExportSummary {
  readonly start: number;
  readonly end: number;
  readonly samples: number;
}

/** Type, help and unit of a metric family by name. */
export type MetadataLookup = (family: string) => MetricMetadata | undefined;

/** Encodes blocks of one format; `head` first, then `block` per block, then `tail`. */
export interface ExportEncoder {
  head(): string;
  block(labels: Labels, ts: Float64Array, vs: Float64Array, n: number): string;
  tail(summary: ExportSummary): string;
}

/** The PromQL notation of a series: `name{a="b"}`, used by the CSV format. */
export function seriesText(ls: Labels): string {
  let out = metricName(ls);
  let first = true;
  for (const l of ls) {
    if (l.name === METRIC_NAME) continue;
    out += `${first ? '{' : ','}${l.name}="${escapeLabelValue(l.value)}"`;
    first = false;
  }
  return first ? out : `${out}}`;
}

function labelsObject(ls: Labels, withName: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) if (withName || l.name !== METRIC_NAME) out[l.name] = l.value;
  return out;
}

/** JSON has no NaN or Inf: the native ingest format's strings stand for them. */
function jsonValue(v: number): string {
  return Number.isFinite(v) ? String(v) : `"${formatValue(v)}"`;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const json = (metadata: MetadataLookup): ExportEncoder => {
  let first = true;
  return {
    // The samples are cumulative as stored: a push of this document to /v1/ingest must not take
    // its histograms for the original Go SDK's per-flush deltas.
    head: () => '{"temporality":"cumulative","metrics":[',
    block(labels, ts, vs, n) {
      const name = metricName(labels);
      // The native format knows counter, gauge and histogram; anything else is sent untyped so an
      // import does not overwrite the family's metadata.
      const type = metadata(name)?.type ?? familyOf(name, metadata)[1];
      const typed = type === 'counter' || type === 'gauge' || type === 'histogram' ? `"type":"${type}",` : '';
      const head = `{"name":${JSON.stringify(name)},${typed}"labels":${JSON.stringify(labelsObject(labels, false))},`;
      let out = '';
      for (let i = 0; i < n; i++) {
        out += `${first ? '\n' : ',\n'}${head}"value":${jsonValue(vs[i]!)},"timestamp":"${new Date(ts[i]!).toISOString()}"}`;
        first = false;
      }
      return out;
    },
    // The metadata goes last: `metric_count` is known only once every sample is written, and an
    // export must not hold the samples to count them first. JSON objects are unordered.
    tail: (s) =>
      `\n],"metadata":${JSON.stringify({
        exported_at: new Date().toISOString(),
        start_time: new Date(s.start).toISOString(),
        end_time: new Date(s.end).toISOString(),
        metric_count: s.samples,
        format: 'json',
        version: '1.0',
      })}}\n`,
  };
};

const jsonl: () => ExportEncoder = () => ({
  head: () => '',
  block(labels, ts, vs, n) {
    let values = '';
    let times = '';
    for (let i = 0; i < n; i++) {
      values += `${i > 0 ? ',' : ''}${jsonValue(vs[i]!)}`;
      times += `${i > 0 ? ',' : ''}${ts[i]}`;
    }
    return `{"metric":${JSON.stringify(labelsObject(labels, true))},"values":[${values}],"timestamps":[${times}]}\n`;
  },
  tail: () => '',
});

const csv: () => ExportEncoder = () => ({
  head: () => 'series,timestamp_ms,value\n',
  block(labels, ts, vs, n) {
    const series = csvField(seriesText(labels));
    let out = '';
    for (let i = 0; i < n; i++) out += `${series},${ts[i]},${formatValue(vs[i]!)}\n`;
    return out;
  },
  tail: () => '',
});

/** Sample-name suffixes under which a family's metadata may be stored, by type. */
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ['_total'],
  histogram: ['_bucket', '_count', '_sum'],
  summary: ['_count', '_sum'],
};

const openmetrics = (metadata: MetadataLookup): ExportEncoder => {
  let family = '';
  return {
    head: () => '',
    block(labels, ts, vs, n) {
      const name = metricName(labels);
      const [fam, type, meta] = familyOf(name, metadata);
      let out = '';
      if (fam !== family) {
        family = fam;
        out += `# TYPE ${fam} ${type}\n`;
        if (meta?.unit && fam.endsWith(`_${meta.unit}`)) out += `# UNIT ${fam} ${meta.unit}\n`;
        if (meta?.help) out += `# HELP ${fam} ${meta.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
      }
      const series = seriesText(labels);
      for (let i = 0; i < n; i++) out += `${series} ${formatValue(vs[i]!)} ${ts[i]! / 1000}\n`;
      return out;
    },
    tail: () => '# EOF\n',
  };
};

/**
 * The OpenMetrics family a series belongs to, its type and metadata. Native pushes store a
 * counter's metadata under its sample name (`req_total`), OpenMetrics under the family (`req`);
 * both are found. A counter sample without `_total` cannot be an OpenMetrics counter: `unknown`.
 */
export function familyOf(
  name: string,
  metadata: MetadataLookup,
): [string, string, MetricMetadata | undefined] {
  const own = metadata(name);
  if (own !== undefined) {
    if (own.type === 'counter')
      return name.endsWith('_total') ? [name.slice(0, -6), 'counter', own] : [name, 'unknown', own];
    return [name, own.type, own];
  }
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix) || name.length === suffix.length) continue;
      const fam = name.slice(0, -suffix.length);
      const meta = metadata(fam);
      if (meta?.type === type) return [fam, type, meta];
    }
  }
  return [name, 'unknown', undefined];
}

/** A fresh encoder for one export. `metadata` looks up a family's type, help and unit. */
export function exportEncoder(format: TransferFormat, metadata: MetadataLookup): ExportEncoder {
  switch (format) {
    case 'json':
      return json(metadata);
    case 'jsonl':
      return jsonl();
    case 'csv':
      return csv();
    case 'openmetrics':
      return openmetrics(metadata);
  }
}
