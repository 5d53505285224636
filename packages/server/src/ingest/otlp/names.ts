/**
 * OTLP metric and attribute names made into Prometheus names, as Prometheus 3.x does by default
 * (`translation_strategy: UnderscoreEscapingWithSuffixes`; Prometheus' otlptranslator package,
 * normalize_name.go and normalize_label.go): the name split into alphanumeric words, the unit
 * appended as a word (`s` → `seconds`, `By/s` → `bytes_per_second`; units in braces are
 * annotations and ignored), `_total` on monotonic sums, `_ratio` on gauges of unit `1`.
 */

import type { OtlpMetric } from './model.js';

const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const NOT_ALNUM = /[^\p{L}\p{N}]+/u;
const NOT_LABEL_CHAR = /[^a-zA-Z0-9_]/g;

function words(s: string): string[] {
  return s.split(NOT_ALNUM).filter((w) => w !== '');
}

/** The Prometheus word for an OTLP (UCUM) unit, '' for none or an annotation like `{requests}`. */
export function unitWord(unit: string, per = false): string {
  const u = unit.trim();
  if (u === '' || u.includes('{') || u.includes('}')) return '';
  return words((per ? PER_UNITS[u] : UNITS[u]) ?? u).join('_');
}

/** The Prometheus metric name of an OTLP metric. */
export function metricName(m: OtlpMetric): string {
  const tokens = words(m.name);
  const [main = '', perUnit = ''] = m.unit.split('/', 2);
  const mainWord = unitWord(main);
  if (mainWord !== '' && !tokens.includes(mainWord)) tokens.push(mainWord);
  const perWord = unitWord(perUnit, true);
  if (perWord !== '' && !tokens.includes(perWord)) tokens.push('per', perWord);
  let out = tokens;
  if (m.kind === 'sum' && m.monotonic) out = [...out.filter((t) => t !== 'total'), 'total'];
  if (m.unit === '1' && m.kind === 'gauge') out = [...out.filter((t) => t !== 'ratio'), 'ratio'];
  const name = out.join('_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** The Prometheus label name of an attribute key: invalid characters become `_`. */
export function labelName(key: string): string {
  if (key === '') return '';
  const name = key.replace(NOT_LABEL_CHAR, '_');
  if (/^[0-9]/.test(name)) return `key_${name}`;
  if (name.startsWith('_') && !name.startsWith('__')) return `key${name}`;
  return name;
}
