/**
 * Query results as uPlot wants them: one shared, step-aligned time column and one value column
 * per series (null where a series has no point). Live points are appended to the same columns.
 */

import type { MatrixSeries, Metric } from './prom.js';

export interface Line {
  /** Identity for pairing (live updates, comparisons): query index + sorted labels. */
  key: string;
  /** Shown in the legend (always rendered as text). */
  label: string;
  metric: Metric;
  /** Index of the query that produced it. */
  query: number;
  /** Drawn dashed: a comparison with an earlier period. */
  dashed?: boolean;
}

export interface ChartData {
  /** Unix seconds, ascending, on the step grid. */
  t: number[];
  lines: Line[];
  /** values[i][j]: line i at t[j]. */
  values: (number | null)[][];
}

export const emptyData = (): ChartData => ({ t: [], lines: [], values: [] });

export function metricKey(m: Metric): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join(',');
}

/** `name{a="x", b="y"}`; without the name when the query has dropped it. */
export function seriesLabel(m: Metric, legend?: string): string {
  if (legend) return legend.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => m[k] ?? '');
  const name = m.__name__ ?? '';
  const rest = Object.keys(m)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${m[k]}"`)
    .join(', ');
  return rest ? `${name}{${rest}}` : name || '{}';
}

function parseValue(v: string): number | null {
  // NaN and ±Inf cannot be drawn: they become gaps.
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export interface QueryResult {
  result: MatrixSeries[];
  legend?: string | undefined;
  /** Seconds added to every timestamp (a comparison query run over an earlier period). */
  shift?: number;
  dashed?: boolean;
  suffix?: string;
}

/** Builds columns on the grid start..end by step from several queries' matrices. */
export function toColumns(results: QueryResult[], start: number, end: number, step: number): ChartData {
  const t: number[] = [];
  for (let x = start; x <= end + 1e-9; x += step) t.push(Math.round(x * 1000) / 1000);
  const data: ChartData = { t, lines: [], values: [] };
  const primaries = results.filter((r) => !r.shift).length;
  results.forEach((r, qi) => {
    for (const s of r.result) {
      const col: (number | null)[] = new Array(t.length).fill(null);
      for (const [ts, v] of s.values) {
        const j = Math.round((ts + (r.shift ?? 0) - start) / step);
        if (j >= 0 && j < t.length) col[j] = parseValue(v);
      }
      // Several queries on one chart: say which query a line comes from.
      const which = primaries > 1 && !r.legend && !r.shift ? ` · #${qi + 1}` : '';
      const label = seriesLabel(s.metric, r.legend) + which + (r.suffix ?? '');
      data.lines.push({
        key: `${qi}|${metricKey(s.metric)}`,
        label,
        metric: s.metric,
        query: qi,
        ...(r.dashed ? { dashed: true } : {}),
      });
      data.values.push(col);
    }
  });
  return data;
}

/**
 * Appends live points (timestamps after the last one held) and drops points older than
 * `keepFrom`, so a live chart slides instead of growing. Mutates and returns `data`.
 */
export function appendPoints(
  data: ChartData,
  results: { result?: MatrixSeries[]; legend?: string | undefined }[],
  keepFrom: number,
): ChartData {
  const last = data.t.length > 0 ? data.t[data.t.length - 1]! : Number.NEGATIVE_INFINITY;
  const newT = new Set<number>();
  for (const r of results)
    for (const s of r.result ?? []) for (const [ts] of s.values) if (ts > last) newT.add(ts);
  const added = [...newT].sort((a, b) => a - b);
  if (added.length === 0) return data;
  const base = data.t.length;
  data.t.push(...added);
  for (const col of data.values) for (let i = 0; i < added.length; i++) col.push(null);
  const index = new Map(data.lines.map((l, i) => [l.key, i]));
  results.forEach((r, qi) => {
    for (const s of r.result ?? []) {
      const key = `${qi}|${metricKey(s.metric)}`;
      let li = index.get(key);
      if (li === undefined) {
        li = data.lines.length;
        index.set(key, li);
        data.lines.push({ key, label: seriesLabel(s.metric, r.legend), metric: s.metric, query: qi });
        data.values.push(new Array(data.t.length).fill(null));
      }
      const col = data.values[li]!;
      for (const [ts, v] of s.values) {
        const j = added.indexOf(ts);
        if (j >= 0) col[base + j] = parseValue(v);
      }
    }
  });
  let drop = 0;
  while (drop < data.t.length && data.t[drop]! < keepFrom) drop++;
  if (drop > 0) {
    data.t.splice(0, drop);
    for (const col of data.values) col.splice(0, drop);
  }
  return data;
}

/** The data as CSV: a time column (RFC 3339) and one column per line. */
export function toCsv(data: ChartData): string {
  const esc = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = [['time', ...data.lines.map((l) => l.label)].map(esc).join(',')];
  data.t.forEach((ts, j) => {
    rows.push(
      [new Date(ts * 1000).toISOString(), ...data.values.map((c) => (c[j] ?? '').toString())].join(','),
    );
  });
  return `${rows.join('\n')}\n`;
}
