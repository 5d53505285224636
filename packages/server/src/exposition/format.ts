/**
 * Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): a pure renderer from metric
 * families to text. Used for the pushed series and for the server's own metrics alike.
 */

import type { Labels } from '../model/labels.js';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type ExpositionType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExpositionSample {
  /** Full series name, e.g. `req_seconds_bucket` for a histogram family `req_seconds`. */
  readonly name: string;
  /** Labels without `__name__`, sorted. */
  readonly labels: Labels;
  readonly value: number;
  /** Written after the value (ms) when set: federation gives each sample's own time. */
  readonly timestamp?: number;
}

export interface ExpositionFamily {
  readonly name: string;
  readonly type: ExpositionType;
  readonly help: string;
  readonly samples: readonly ExpositionSample[];
}

/** Renders families in the given order, each with `# HELP` and `# TYPE`. */
export function renderExposition(families: readonly ExpositionFamily[]): string {
  const parts: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    parts.push(`# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`);
    for (const s of f.samples) {
      const ts = s.timestamp === undefined ? '' : ` ${s.timestamp}`;
      parts.push(`${s.name}${renderLabels(s.labels)} ${formatValue(s.value)}${ts}\n`);
    }
  }
  return parts.join('');
}

function renderLabels(ls: Labels): string {
  if (ls.length === 0) return '';
  let out = '{';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    out += `${i > 0 ? ',' : ''}${l.name}="${escapeLabelValue(l.value)}"`;
  }
  return `${out}}`;
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

/** HELP text escapes backslash and line feed only. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go-compatible float text: `NaN`, `+Inf`, `-Inf`, otherwise the shortest round-trip form. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}
