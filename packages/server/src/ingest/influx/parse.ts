/**
 * InfluxDB line protocol (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/),
 * what Telegraf and Influx clients send to `/write` and `/api/v2/write`:
 *
 *   measurement[,tag=value…] field=value[,field=value…] [timestamp]
 *
 * mapped as VictoriaMetrics does: one series per numeric field named `<measurement>_<field>`, the
 * tags as labels; integer (`1i`, `1u`) and float fields as numbers, booleans as 1 / 0; string
 * fields are skipped (not an error). Names are made valid by replacing what a Prometheus name
 * cannot hold with `_` (Telegraf's measurements and tags often contain `-` or `.`). A malformed
 * line is reported with its number; the other lines are kept.
 */

import { type Label, METRIC_NAME } from '../../model/labels.js';
import { SampleBatch } from '../batch.js';
import { IngestError } from '../errors.js';
import type { IngestLimits } from '../limits.js';

/** Timestamp units the `precision` parameter names (v1 and v2 spellings), in ms per unit. */
const PRECISION_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  n: 1e-6,
  us: 1e-3,
  u: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The ms-per-unit factor of a `precision` query parameter (default nanoseconds). */
export function precisionFactor(precision: string | null): number {
  if (precision === null || precision === '') return PRECISION_MS.ns!;
  const f = PRECISION_MS[precision];
  if (f === undefined) {
    throw new IngestError(
      'bad_request',
      `invalid precision ${JSON.stringify(precision)} (one of ns, us, ms, s, m, h)`,
    );
  }
  return f;
}

class LineError extends Error {}

/**
 * Parses a line-protocol body; `msPerUnit` from {@link precisionFactor}; `now` for lines without
 * a time. Refused lines are in `batch.issues` (where = `line N`).
 */
export function parseLineProtocol(
  text: string,
  limits: IngestLimits,
  msPerUnit: number,
  now: number,
): SampleBatch {
  const batch = new SampleBatch(limits);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    batch.total++;
    try {
      parseLine(line, msPerUnit, now, batch);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      batch.refuse(`line ${i + 1}`, { field: '', message: err.message });
    }
  }
  return batch;
}

/** Splits `s` at unescaped `sep` characters outside double quotes. */
function splitUnescaped(s: string, sep: string, quotes: boolean): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (quotes && c === '"') inQuote = !inQuote;
    else if (c === sep && !inQuote) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (inQuote) throw new LineError('unterminated string field value');
  out.push(s.slice(start));
  return out;
}

function unescapeKey(s: string): string {
  return s.replace(/\\([,= \\"])/g, '$1');
}

const INVALID = /[^a-zA-Z0-9_:]/g;

function sanitize(name: string): string {
  const s = name.replace(INVALID, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function parseLine(line: string, msPerUnit: number, now: number, batch: SampleBatch): void {
  const parts = splitUnescaped(line, ' ', true).filter((p) => p !== '');
  if (parts.length < 2) throw new LineError('expected "measurement[,tags] fields [timestamp]"');
  if (parts.length > 3) throw new LineError('unexpected text after the timestamp');
  const head = splitUnescaped(parts[0]!, ',', false);
  const measurement = unescapeKey(head[0]!);
  if (measurement === '') throw new LineError('empty measurement name');
  const tags: Label[] = [];
  for (const kv of head.slice(1)) {
    const eq = splitUnescaped(kv, '=', false);
    if (eq.length !== 2 || eq[0] === '') throw new LineError(`tag ${JSON.stringify(kv)} is not key=value`);
    tags.push({ name: sanitize(unescapeKey(eq[0]!)).replace(/:/g, '_'), value: unescapeKey(eq[1]!) });
  }
  let t = now;
  if (parts.length === 3) {
    if (!/^-?\d+$/.test(parts[2]!))
      throw new LineError(`timestamp ${JSON.stringify(parts[2])} is not an integer`);
    t = Math.floor(Number(parts[2]) * msPerUnit);
  }
  const prefix = sanitize(measurement);
  for (const kv of splitUnescaped(parts[1]!, ',', true)) {
    // the first unescaped '='
    let k = kv.indexOf('=');
    while (k > 0 && kv[k - 1] === '\\') k = kv.indexOf('=', k + 1);
    if (k <= 0) throw new LineError(`field ${JSON.stringify(kv)} is not key=value`);
    const field = unescapeKey(kv.slice(0, k));
    const v = fieldValue(kv.slice(k + 1), field);
    if (v === null) continue;
    const pairs: Label[] = [...tags, { name: METRIC_NAME, value: `${prefix}_${sanitize(field)}` }];
    const s = batch.addSeries(pairs);
    if (typeof s !== 'number') throw new LineError(`field ${field}: ${s.field} ${s.message}`);
    const p = batch.add(s, t, v);
    if (p !== null) throw new LineError(`field ${field}: ${p.field} ${p.message}`);
  }
}

/** A field value as a number; null for string fields (skipped). */
function fieldValue(raw: string, field: string): number | null {
  if (raw.startsWith('"')) {
    if (raw.length < 2 || !raw.endsWith('"'))
      throw new LineError(`string value of field ${field} is not quoted`);
    return null;
  }
  if (/^(t|T|true|True|TRUE)$/.test(raw)) return 1;
  if (/^(f|F|false|False|FALSE)$/.test(raw)) return 0;
  if (/^-?\d+i$/.test(raw) || /^\d+u$/.test(raw)) return Number(raw.slice(0, -1));
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return Number(raw);
  throw new LineError(`value ${JSON.stringify(raw)} of field ${field} is not a number, boolean or string`);
}
