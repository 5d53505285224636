/** JSON encodings of query results exactly as Prometheus writes them. */

import { type Labels, labelsToRecord } from '../../model/labels.js';
import type { QueryValue } from '../../promql/engine/engine.js';

/**
 * A sample value as Prometheus' API text: Go's `FormatFloat(v, 'f', -1, 64)`, i.e. the
 * shortest round-trip digits without exponent, and `NaN`, `+Inf`, `-Inf`.
 */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  return e < 0 ? s : expandExponent(s.slice(0, e), Number(s.slice(e + 1)));
}

function expandExponent(mantissa: string, exp: number): string {
  const negative = mantissa.startsWith('-');
  const digits = (negative ? mantissa.slice(1) : mantissa).replace('.', '');
  const point = (negative ? mantissa.slice(1) : mantissa).indexOf('.');
  const intLen = (point < 0 ? digits.length : point) + exp;
  let out: string;
  if (intLen <= 0) out = `0.${'0'.repeat(-intLen)}${digits}`;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = `${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  return negative ? `-${out}` : out;
}

/** A timestamp in ms as Prometheus' Unix seconds with millisecond fraction. */
export function unixSeconds(t: number): number {
  return t / 1000;
}

export function metricJson(ls: Labels): Record<string, string> {
  return labelsToRecord(ls);
}

/** `data` of /api/v1/query and /api/v1/query_range. */
export function queryData(value: QueryValue): unknown {
  switch (value.resultType) {
    case 'scalar':
    case 'string':
      return {
        resultType: value.resultType,
        result: [unixSeconds(value.t), value.resultType === 'scalar' ? formatSampleValue(value.v) : value.v],
      };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.result.map((s) => ({
          metric: metricJson(s.metric),
          value: [unixSeconds(s.t), formatSampleValue(s.v)],
        })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.result.map((s) => ({
          metric: metricJson(s.metric),
          values: s.points.map((p) => [unixSeconds(p.t), formatSampleValue(p.v)]),
        })),
      };
  }
}
