/**
 * The Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format) parsed into
 * {@link ExposedFamily} records: `# HELP` and `# TYPE` lines, samples `name{l="v",…} value
 * [timestamp]` with the format's escapes. A malformed line is reported with its line number and
 * skipped; the others are kept.
 */

import type { Label } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import type { ExposedFamily, Exposition } from './family.js';

const TYPES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};

const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
  counter: [],
  gauge: [],
  unknown: [],
};

class LineError extends Error {}

export function parseTextExposition(text: string): Exposition {
  const families: ExposedFamily[] = [];
  const byName = new Map<string, ExposedFamily>();
  const issues: Exposition['issues'] = [];
  const lines = text.split('\n');
  const family = (name: string): ExposedFamily => {
    let f = byName.get(name);
    if (f === undefined) {
      f = { name, type: 'unknown', help: '', samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    return f;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    try {
      if (line.trim() === '') continue;
      if (line.startsWith('#')) {
        const m = /^#\s*(HELP|TYPE)\s+([^\s]+)(?:\s(.*))?$/.exec(line);
        if (m === null) continue; // other comments
        const f = family(m[2]!);
        if (m[1] === 'HELP') f.help = unescapeHelp(m[3] ?? '');
        else {
          const t = TYPES[(m[3] ?? '').trim()];
          if (t === undefined) throw new LineError(`unknown metric type ${JSON.stringify(m[3] ?? '')}`);
          if (f.samples.length > 0) throw new LineError(`TYPE line for ${f.name} after its samples`);
          f.type = t;
        }
        continue;
      }
      const s = parseSampleLine(line);
      family(familyOf(s.name, byName)).samples.push(s);
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      issues.push({ index: i, field: `line ${i + 1}`, message: err.message });
    }
  }
  return { families, issues };
}

/** The family a sample belongs to: `x` for `x_bucket` when `x` is a declared histogram, etc. */
function familyOf(name: string, byName: Map<string, ExposedFamily>): string {
  if (byName.has(name)) return name;
  for (const [fam, f] of byName) {
    for (const suffix of SUFFIXES[f.type] ?? []) if (name === fam + suffix) return fam;
  }
  return name;
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : `\\${c}`));
}

const NAME_CHAR = /[a-zA-Z0-9_:]/;

function parseSampleLine(line: string): {
  name: string;
  labels: Label[];
  value: number;
  timestamp: number | null;
} {
  let i = 0;
  while (i < line.length && NAME_CHAR.test(line[i]!)) i++;
  const name = line.slice(0, i);
  if (name === '') throw new LineError('expected a metric name');
  const labels: Label[] = [];
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const start = i;
      while (i < line.length && /[a-zA-Z0-9_]/.test(line[i]!)) i++;
      const lname = line.slice(start, i);
      if (lname === '') throw new LineError(`expected a label name at column ${i + 1}`);
      while (line[i] === ' ') i++;
      if (line[i] !== '=') throw new LineError(`expected "=" after label ${lname}`);
      i++;
      while (line[i] === ' ') i++;
      if (line[i] !== '"') throw new LineError(`expected a quoted value for label ${lname}`);
      i++;
      let value = '';
      for (;;) {
        if (i >= line.length) throw new LineError(`unterminated value of label ${lname}`);
        const c = line[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const n = line[i + 1];
          if (n === 'n') value += '\n';
          else if (n === '\\' || n === '"') value += n;
          else throw new LineError(`invalid escape \\${n ?? ''} in value of label ${lname}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      labels.push({ name: lname, value });
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new LineError(`expected "," or "}" after label ${lname}`);
    }
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length < 1 || rest[0] === '') throw new LineError(`sample ${name} has no value`);
  if (rest.length > 2) throw new LineError(`unexpected text after the sample of ${name}`);
  const value = parseFloatText(rest[0]!);
  if (value === null) throw new LineError(`${JSON.stringify(rest[0])} is not a number`);
  let timestamp: number | null = null;
  if (rest.length === 2) {
    if (!/^-?\d+$/.test(rest[1]!))
      throw new LineError(`timestamp ${JSON.stringify(rest[1])} is not an integer`);
    timestamp = Number(rest[1]);
  }
  return { name, labels, value, timestamp };
}

/** A Go `strconv.ParseFloat` number, as the format allows (`NaN`, `+Inf`, `-Inf` included). */
export function parseFloatText(s: string): number | null {
  const l = s.toLowerCase();
  if (l === 'nan') return Number.NaN;
  if (l === '+inf' || l === 'inf') return Number.POSITIVE_INFINITY;
  if (l === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  return Number(s);
}
