/**
 * The template functions of Prometheus' `template/template.go` that need no query engine
 * (humanize and friends, string helpers) plus Go's text/template builtins. `query` and the
 * functions over its results are not offered: TinyObs expands templates without running queries.
 */

import { RE2JS } from 're2js';
import { parseDuration } from '../../promql/parser/duration.js';
import { formatG, formatGoTime, formatValue, sprintf } from './gofmt.js';

export type Func = (...args: unknown[]) => unknown;

function toFloat(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number(v.trim());
    if (v.trim() === '' || Number.isNaN(n)) {
      if (/^[+-]?(inf|nan)$/i.test(v.trim()))
        return v.trim().toLowerCase().includes('nan')
          ? Number.NaN
          : v.trim().startsWith('-')
            ? -Infinity
            : Infinity;
      throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    }
    return n;
  }
  if (v instanceof Date) return v.getTime() / 1000;
  throw new Error(`can't convert ${typeof v} to float`);
}

const g4 = (v: number) => formatG(v, 4);

function scaled(v: number, prefixes: readonly string[], factor: number, up: boolean): [number, string] {
  let prefix = '';
  for (const p of prefixes) {
    if (up ? Math.abs(v) < factor : Math.abs(v) >= 1) break;
    prefix = p;
    v = up ? v / factor : v * factor;
  }
  return [v, prefix];
}

const BIG = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

function humanize(x: unknown): string {
  const v = toFloat(x);
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  const [s, p] = Math.abs(v) >= 1 ? scaled(v, BIG, 1000, true) : scaled(v, SMALL, 1000, false);
  return g4(s) + p;
}

function humanize1024(x: unknown): string {
  const v = toFloat(x);
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  const [s, p] = scaled(v, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'], 1024, true);
  return g4(s) + p;
}

function humanizeDuration(x: unknown): string {
  let v = toFloat(x);
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return `${g4(v)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const d = Math.trunc(v);
    const seconds = d % 60;
    const minutes = Math.trunc(d / 60) % 60;
    const hours = Math.trunc(d / 3600) % 24;
    const days = Math.trunc(d / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${g4(v)}s`;
  }
  const [s, p] = scaled(v, SMALL, 1000, false);
  return `${g4(s)}${p}s`;
}

function toTime(x: unknown): Date {
  const v = toFloat(x);
  if (!Number.isFinite(v)) throw new Error('value is NaN or Inf');
  return new Date(v * 1000);
}

function humanizeTimestamp(x: unknown): string {
  const v = toFloat(x);
  if (!Number.isFinite(v)) return g4(v);
  return formatGoTime(toTime(v));
}

/** Go's regexp semantics (RE2 syntax, linear time), as the PromQL matchers use. */
function compile(pattern: unknown): RE2JS {
  return RE2JS.compile(String(pattern));
}

/**
 * Go replacement syntax (`$1`, `${1}`, `$name`, `${name}`, `$$`) in re2js' Java-style syntax
 * (`$1`, `${name}`, `\$`), backslashes escaped.
 */
function goReplacement(repl: string): string {
  return repl
    .replace(/\\/g, '\\\\')
    .replace(
      /\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g,
      (_m, all: string, braced?: string, bare?: string) => {
        if (all === '$') return '\\$';
        const name = braced ?? bare ?? '';
        return /^\d+$/.test(name) ? `$${name}` : `\${${name}}`;
      },
    );
}

function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && !(v instanceof Date)) return Object.keys(v as object).length > 0;
  return true;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a !== typeof b) throw new Error(`incompatible types for comparison`);
  if (typeof a === 'number' || typeof a === 'string')
    return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  throw new Error('invalid type for comparison');
}

/** Functions by name. `externalURL` and `pathPrefix` are bound per expansion. */
export const FUNCS: Readonly<Record<string, Func>> = {
  humanize,
  humanize1024,
  humanizeDuration,
  humanizePercentage: (x) => `${g4(toFloat(x) * 100)}%`,
  humanizeTimestamp,
  toTime,
  toDuration: (x) => toFloat(x),
  parseDuration: (x) => parseDuration(String(x)) / 1000,
  title: (s) =>
    String(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, a: string, b: string) => a + b.toUpperCase()),
  toUpper: (s) => String(s).toUpperCase(),
  toLower: (s) => String(s).toLowerCase(),
  match: (pattern, text) => compile(pattern).matcher(String(text)).find(),
  reReplaceAll: (pattern, repl, text) =>
    compile(pattern)
      .matcher(String(text))
      .replaceAll(goReplacement(String(repl)), true),
  stripPort: (hostPort) => {
    const s = String(hostPort);
    const m = /^\[(.*)\]:\d*$/.exec(s) ?? /^([^:]*):\d*$/.exec(s);
    return m === null ? s : m[1];
  },
  stripDomain: (hostPort) => {
    const s = String(hostPort);
    const m = /^(.*?)(:\d+)?$/.exec(s)!;
    const host = m[1]!;
    if (/^[\d.]+$/.test(host) || host.includes('[')) return s;
    return host.split('.')[0] + (m[2] ?? '');
  },
  safeHtml: (s) => String(s),
  args: (...xs) => Object.fromEntries(xs.map((x, i) => [`arg${i}`, x])),
  printf: (format, ...xs) => sprintf(String(format), xs),
  print: (...xs) => xs.map(formatValue).join(''),
  println: (...xs) => `${xs.map(formatValue).join(' ')}\n`,
  len: (x) =>
    typeof x === 'string' || Array.isArray(x) ? x.length : Object.keys((x ?? {}) as object).length,
  index: (x, ...keys) => {
    let cur: unknown = x;
    for (const k of keys) cur = cur == null ? undefined : (cur as Record<string, unknown>)[String(k)];
    return cur ?? '';
  },
  eq: (a, ...bs) => bs.some((b) => compare(a, b) === 0),
  ne: (a, b) => compare(a, b) !== 0,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...xs) => xs.find((x) => !truthy(x)) ?? xs[xs.length - 1],
  or: (...xs) => xs.find((x) => truthy(x)) ?? xs[xs.length - 1],
  not: (x) => !truthy(x),
  urlquery: (...xs) => encodeURIComponent(xs.map(formatValue).join('')),
  urlQueryEscape: (s) => encodeURIComponent(String(s)),
  html: (...xs) =>
    xs
      .map(formatValue)
      .join('')
      .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  js: (...xs) => JSON.stringify(xs.map(formatValue).join('')).slice(1, -1),
  externalURL: () => '',
  pathPrefix: () => '',
};

export { truthy };
