/**
 * Import decoders: a streamed body in one of the transfer formats → records, each a list of
 * points in the native ingest shape (JSON text) with the line it came from, or an error for that
 * line. The points then go through the native format's own validation and limits
 * (importer.ts), so an import accepts exactly what a push would.
 */

import type { TransferFormat } from './formats.js';
import { MAX_LINE_CHARS, numberedLines } from './lines.js';
import { parseSeriesText } from './series_text.js';

/** The points of one line (or one JSON entry), or why that line was refused. */
export type ImportRecord =
  | { readonly line: number; readonly points: readonly string[] }
  | { readonly line: number; readonly error: string };

const SPECIAL: Readonly<Record<string, string>> = {
  NaN: '"NaN"',
  '+Inf': '"+Inf"',
  Inf: '"+Inf"',
  '-Inf': '"-Inf"',
};

/** A value as native JSON text: a number, or the native format's strings for NaN and ±Inf. */
function valueText(raw: string): string {
  const special = SPECIAL[raw];
  if (special !== undefined) return special;
  const v = Number(raw);
  if (raw.trim() === '' || Number.isNaN(v)) throw new Error(`invalid value ${JSON.stringify(raw)}`);
  return String(v);
}

function point(
  name: string,
  labels: Record<string, string>,
  value: string,
  t: number | null,
  extra = '',
): string {
  const ts = t === null ? '' : `,"timestamp":${t}`;
  return `{"name":${JSON.stringify(name)},"labels":${JSON.stringify(labels)},"value":${value}${ts}${extra}}`;
}

/** The records of a body in `format`. */
export function importRecords(
  format: TransferFormat,
  chunks: AsyncIterable<string>,
): AsyncGenerator<ImportRecord> {
  switch (format) {
    case 'json':
      return jsonEntries(chunks);
    case 'jsonl':
      return byLine(chunks, jsonlLine());
    case 'csv':
      return byLine(chunks, csvLine());
    case 'openmetrics':
      return byLine(chunks, openMetricsLine());
  }
}

type LineDecoder = (text: string) => readonly string[];

async function* byLine(chunks: AsyncIterable<string>, decode: LineDecoder): AsyncGenerator<ImportRecord> {
  for await (const l of numberedLines(chunks)) {
    if (l.text === null) {
      yield { line: l.no, error: `line longer than ${MAX_LINE_CHARS} characters` };
      continue;
    }
    if (l.text.trim() === '') continue;
    try {
      const points = decode(l.text);
      if (points.length > 0) yield { line: l.no, points };
    } catch (err) {
      yield { line: l.no, error: (err as Error).message };
    }
  }
}

/** VictoriaMetrics' export lines: `{"metric":{"__name__":…},"values":[…],"timestamps":[…]}`. */
function jsonlLine(): LineDecoder {
  return (text) => {
    let rec: { metric?: unknown; values?: unknown; timestamps?: unknown };
    try {
      rec = JSON.parse(text) as typeof rec;
    } catch (err) {
      throw new Error(`invalid JSON: ${(err as Error).message}`);
    }
    const metric = rec?.metric;
    if (typeof metric !== 'object' || metric === null || Array.isArray(metric))
      throw new Error('field "metric" must be an object of labels');
    const { __name__: name, ...labels } = metric as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw new Error('field "metric" needs a "__name__" label');
    const { values, timestamps } = rec;
    if (!Array.isArray(values) || !Array.isArray(timestamps) || values.length !== timestamps.length)
      throw new Error('fields "values" and "timestamps" must be arrays of the same length');
    return values.map((v, i) => {
      const t = timestamps[i];
      if (typeof t !== 'number' || !Number.isInteger(t))
        throw new Error(`timestamps[${i}] must be integer milliseconds`);
      const value = typeof v === 'number' ? String(v) : typeof v === 'string' ? valueText(v) : null;
      if (value === null) throw new Error(`values[${i}] must be a number`);
      return point(name, labels as Record<string, string>, value, t);
    });
  };
}

/** `series,timestamp_ms,value`, the series quoted as RFC 4180 says when it holds , or ". */
function csvLine(): LineDecoder {
  return (text) => {
    if (text === 'series,timestamp_ms,value') return [];
    let series: string;
    let rest: string;
    if (text.startsWith('"')) {
      let i = 1;
      series = '';
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted series');
        series += text.slice(i, q);
        if (text[q + 1] === '"') {
          series += '"';
          i = q + 2;
        } else {
          rest = text.slice(q + 1);
          break;
        }
      }
    } else {
      const comma = text.indexOf(',');
      series = comma < 0 ? text : text.slice(0, comma);
      rest = comma < 0 ? '' : text.slice(comma);
    }
    const fields = rest.split(',');
    if (fields.length !== 3 || fields[0] !== '')
      throw new Error('expected 3 fields: series,timestamp_ms,value');
    const s = parseSeriesText(series);
    if (s.end !== series.length) throw new Error(`unexpected text after the series at column ${s.end + 1}`);
    const t = Number(fields[1]);
    if (!Number.isInteger(t)) throw new Error(`invalid timestamp_ms ${JSON.stringify(fields[1])}`);
    return [point(s.name, s.labels, valueText(fields[2]!), t)];
  };
}

/** The native types a family's samples are sent as, by OpenMetrics type. */
const NATIVE_TYPE: Readonly<Record<string, string>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
};

/** OpenMetrics (and Prometheus text) with `# TYPE`/`# HELP`/`# UNIT`, timestamps in seconds. */
function openMetricsLine(): LineDecoder {
  const families = new Map<string, { type: string; help: string; unit: string }>();
  const familyOf = (fam: string) => {
    let f = families.get(fam);
    if (f === undefined) {
      f = { type: 'unknown', help: '', unit: '' };
      families.set(fam, f);
    }
    return f;
  };
  return (text) => {
    if (text.startsWith('#')) {
      const m = /^# (TYPE|HELP|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(text);
      if (m !== null) {
        const f = familyOf(m[2]!);
        const arg = m[3] ?? '';
        if (m[1] === 'TYPE') f.type = arg.trim() === 'untyped' ? 'unknown' : arg.trim();
        else if (m[1] === 'HELP') f.help = arg.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
        else f.unit = arg.trim();
      }
      return [];
    }
    const s = parseSeriesText(text);
    const fields = text.slice(s.end).trim().split(/\s+/);
    const hash = fields.indexOf('#'); // an exemplar follows; it is not stored
    const [value, ts] = hash < 0 ? fields : fields.slice(0, hash);
    if (value === undefined || value === '') throw new Error('expected a value after the series');
    let t: number | null = null;
    if (ts !== undefined) {
      const sec = Number(ts);
      if (!Number.isFinite(sec)) throw new Error(`invalid timestamp ${JSON.stringify(ts)} (seconds)`);
      t = Math.round(sec * 1000);
    }
    const [fam, f] = owningFamily(s.name, families);
    // `_created` samples carry a start time, not a value; TinyObs does not store start times.
    if (f !== undefined && s.name === `${fam}_created`) return [];
    const type = f === undefined ? undefined : NATIVE_TYPE[f.type];
    let extra = type === undefined ? '' : `,"type":"${type}"`;
    if (f?.help) extra += `,"help":${JSON.stringify(f.help)}`;
    if (f?.unit) extra += `,"unit":${JSON.stringify(f.unit)}`;
    return [point(s.name, s.labels, valueText(value), t, extra)];
  };
}

const SAMPLE_SUFFIXES = ['_total', '_bucket', '_count', '_sum', '_created', '_gcount', '_gsum', '_info'];

function owningFamily<F>(name: string, families: Map<string, F>): [string, F | undefined] {
  const own = families.get(name);
  if (own !== undefined) return [name, own];
  for (const suffix of SAMPLE_SUFFIXES) {
    if (!name.endsWith(suffix)) continue;
    const fam = name.slice(0, -suffix.length);
    const f = families.get(fam);
    if (f !== undefined) return [fam, f];
  }
  return [name, undefined];
}

/**
 * The entries of the original export document's `metrics` array, each with the line it starts
 * on, scanned incrementally so that a document of any size is never held whole. Other keys
 * (`metadata`) are skipped, in whatever order they come.
 */
async function* jsonEntries(chunks: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let key = '';
  let keyText = '';
  let inMetrics = false;
  let entry: string[] | null = null;
  let entryLine = 0;
  let entryLen = 0;
  let line = 1;
  let sawMetrics = false;
  for await (const chunk of chunks) {
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10) line++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          if (depth === 1 && entry === null) key = keyText;
        } else if (depth === 1) keyText += chunk[i];
        continue;
      }
      if (c === 34) {
        inString = true;
        if (depth === 1) keyText = '';
      } else if (c === 123 || c === 91) {
        depth++;
        if (depth === 2 && c === 91 && key === 'metrics') {
          inMetrics = true;
          sawMetrics = true;
        } else if (depth === 3 && inMetrics && c === 123) {
          entry = [];
          entryLine = line;
          entryLen = 0;
          from = i;
        }
      } else if (c === 125 || c === 93) {
        depth--;
        if (depth === 2 && entry !== null) {
          entry.push(chunk.slice(from, i + 1));
          const text = entry.join('');
          entry = null;
          yield entryLen + i - from > MAX_LINE_CHARS
            ? { line: entryLine, error: `entry longer than ${MAX_LINE_CHARS} characters` }
            : { line: entryLine, points: [text] };
        } else if (depth === 1 && inMetrics) inMetrics = false;
        else if (depth < 0) {
          yield { line, error: 'unbalanced } or ] in the document' };
          return;
        }
      } else if (c === 44 && depth === 1) key = '';
    }
    if (entry !== null) {
      entryLen += chunk.length - from;
      // An entry over the bound is not kept in memory; it is reported when it ends.
      if (entryLen <= MAX_LINE_CHARS) entry.push(chunk.slice(from));
    }
  }
  if (depth !== 0) yield { line, error: 'the document ends before its last } or ]' };
  else if (!sawMetrics) yield { line: 1, error: 'the document has no "metrics" array' };
}
