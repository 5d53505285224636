/**
 * The series description syntax of promqltest `load` and expected-result lines
 * (FORMAT.md §3): `metric{l="v"} 0+10x100 _ stale 1 2 3`, plus durations (§4) and numbers.
 */

import { type Label, type Labels, labelsFromPairs } from '../../model/labels.js';

/** One position of a value sequence. */
export type SeriesValue =
  | { readonly kind: 'float'; readonly v: number }
  | { readonly kind: 'stale' }
  | { readonly kind: 'none' }
  /** A native-histogram sample: parsed for alignment only (not supported by the engine). */
  | { readonly kind: 'histogram' };

export interface SeriesLine {
  readonly labels: Labels;
  readonly values: SeriesValue[];
}

export class ScriptError extends Error {}

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Parses a Prometheus duration (`1m30s`, `0`) to ms. */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  const m = DURATION_RE.exec(s);
  if (s === '' || m === null) throw new ScriptError(`invalid duration ${JSON.stringify(s)}`);
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i]!;
  return ms;
}

/** Parses a number as Go's ParseFloat does, including `Inf`/`NaN` in any case. */
export function parseNumber(s: string): number {
  const t = s.replace(/_/g, '');
  if (/^[+-]?inf(inity)?$/i.test(t))
    return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[+-]?nan$/i.test(t)) return Number.NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t))
    return Number(t.startsWith('-') ? -Number(t.slice(1)) : t.replace(/^\+/, ''));
  throw new ScriptError(`invalid number ${JSON.stringify(s)}`);
}

/** Unquotes a Go string literal (`"…"`, `'…'`, `` `…` ``) starting at `s[i]`; returns [value, end]. */
export function readQuoted(s: string, i: number): [string, number] {
  const q = s[i];
  if (q === '`') {
    const end = s.indexOf('`', i + 1);
    if (end < 0) throw new ScriptError('unterminated raw string');
    return [s.slice(i + 1, end), end + 1];
  }
  if (q !== '"' && q !== "'")
    throw new ScriptError(`expected a quoted string at ${JSON.stringify(s.slice(i))}`);
  let out = '';
  let j = i + 1;
  while (j < s.length && s[j] !== q) {
    const c = s[j]!;
    if (c !== '\\') {
      out += c;
      j++;
      continue;
    }
    const e = s[j + 1];
    j += 2;
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
        out += String.fromCharCode(Number.parseInt(s.slice(j, j + 2), 16));
        j += 2;
        break;
      case 'u':
        out += String.fromCodePoint(Number.parseInt(s.slice(j, j + 4), 16));
        j += 4;
        break;
      case 'U':
        out += String.fromCodePoint(Number.parseInt(s.slice(j, j + 8), 16));
        j += 8;
        break;
      default:
        if (e !== undefined && /[0-7]/.test(e)) {
          out += String.fromCharCode(Number.parseInt(s.slice(j - 1, j + 2), 8));
          j += 2;
        } else out += e ?? '';
    }
  }
  if (j >= s.length) throw new ScriptError('unterminated string');
  return [out, j + 1];
}

/** Reads the metric part of a series line; returns the labels and the index after it. */
function readMetric(s: string): [Labels, number] {
  const pairs: Label[] = [];
  let i = 0;
  const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(s);
  if (name !== null) {
    pairs.push({ name: '__name__', value: name[0] });
    i = name[0].length;
  }
  if (s[i] === '{') {
    i++;
    for (;;) {
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (s[i] === '}') {
        i++;
        break;
      }
      let label: string;
      if (s[i] === '"' || s[i] === "'" || s[i] === '`') {
        [label, i] = readQuoted(s, i);
      } else {
        const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i));
        if (m === null) throw new ScriptError(`invalid label set in ${JSON.stringify(s)}`);
        label = m[0];
        i += label.length;
      }
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (s[i] === '=') {
        i++;
        while (s[i] === ' ' || s[i] === '\t') i++;
        let value: string;
        [value, i] = readQuoted(s, i);
        pairs.push({ name: label, value });
      } else {
        pairs.push({ name: '__name__', value: label });
      }
      while (s[i] === ' ' || s[i] === '\t') i++;
      if (s[i] === ',') i++;
    }
  }
  if (i === 0) throw new ScriptError(`invalid series line ${JSON.stringify(s)}`);
  return [labelsFromPairs(pairs), i];
}

/** Splits a value sequence into items; `{{…}}` histogram items may contain spaces. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (/\s/.test(s[i]!)) {
      i++;
      continue;
    }
    const start = i;
    if (s.startsWith('{{', i)) {
      i = s.indexOf('}}', i) + 2;
      if (s.startsWith('+{{', i) || s.startsWith('-{{', i)) i = s.indexOf('}}', i) + 2;
      while (i < s.length && !/\s/.test(s[i]!)) i++;
    } else {
      while (i < s.length && !/\s/.test(s[i]!)) i++;
    }
    out.push(s.slice(start, i));
  }
  return out;
}

function expandItem(item: string, out: SeriesValue[]): void {
  if (item === '_') {
    out.push({ kind: 'none' });
    return;
  }
  if (item === 'stale') {
    out.push({ kind: 'stale' });
    return;
  }
  if (item.startsWith('{{')) {
    const m = /x(\d+)$/.exec(item.slice(item.lastIndexOf('}}')));
    const n = m === null ? 1 : Number(m[1]) + 1;
    for (let k = 0; k < n; k++) out.push({ kind: 'histogram' });
    return;
  }
  const gap = /^_x(\d+)$/.exec(item);
  if (gap !== null) {
    for (let k = 0; k < Number(gap[1]); k++) out.push({ kind: 'none' });
    return;
  }
  const num = '[+-]?(?:[iI][nN][fF]|[nN][aA][nN]|(?:\\d[\\d_]*\\.?[\\d_]*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
  const rep = new RegExp(`^(${num})(?:([+-])(${num.slice(5)}))?x(\\d+)$`).exec(item);
  if (rep !== null) {
    let v = parseNumber(rep[1]!);
    const d = rep[3] === undefined ? 0 : parseNumber(rep[3]) * (rep[2] === '-' ? -1 : 1);
    const times = Number(rep[4]);
    // Repeated addition, as upstream, for bit-identical values.
    for (let k = 0; k <= times; k++) {
      out.push({ kind: 'float', v });
      v += d;
    }
    return;
  }
  out.push({ kind: 'float', v: parseNumber(item) });
}

/** Parses `metric{labels} values…`. */
export function parseSeriesLine(line: string): SeriesLine {
  const [labels, end] = readMetric(line);
  const values: SeriesValue[] = [];
  for (const item of tokenize(line.slice(end))) expandItem(item, values);
  return { labels, values };
}
