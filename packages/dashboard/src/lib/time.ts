/** Time ranges, steps and rate windows: the arithmetic every chart shares. */

export const RELATIVE_RANGES = [
  '5m',
  '15m',
  '30m',
  '1h',
  '3h',
  '6h',
  '12h',
  '1d',
  '2d',
  '7d',
  '30d',
] as const;
export const REFRESH_CHOICES = ['off', '5s', '10s', '30s', '1m', '5m'] as const;

const UNIT_S: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `90s`, `5m`, `1h`, `7d` → seconds; null for anything else. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)([smhdw])$/.exec(text);
  return m ? Number(m[1]) * UNIT_S[m[2]!]! : null;
}

/** Seconds → the shortest PromQL duration (`90` → `90s`, `3600` → `1h`). */
export function formatDuration(s: number): string {
  for (const u of ['w', 'd', 'h', 'm'] as const)
    if (s >= UNIT_S[u]! && s % UNIT_S[u]! === 0) return `${s / UNIT_S[u]!}${u}`;
  return `${Math.max(1, Math.round(s))}s`;
}

/** A time range as the view holds it: relative (`range`) or absolute (`from`/`to`, Unix ms). */
export interface TimeSpec {
  range: string;
  from?: number | undefined;
  to?: number | undefined;
}

/** The range in Unix seconds at `now`. */
export function resolveRange(spec: TimeSpec, nowMs = Date.now()): { start: number; end: number } {
  if (spec.from !== undefined && spec.to !== undefined && spec.to > spec.from) {
    return { start: spec.from / 1000, end: spec.to / 1000 };
  }
  const len = parseDuration(spec.range) ?? 3600;
  const end = nowMs / 1000;
  return { start: end - len, end };
}

/**
 * About two points per pixel: the server reduces the range to this step, so the browser never
 * holds more than it can draw. Whole seconds, at least 1s.
 */
export function stepFor(start: number, end: number, widthPx: number): number {
  return Math.max(1, Math.ceil((end - start) / Math.max(100, widthPx * 2)));
}

/** Aligns a range to its step so refreshes and live points fall on one grid. */
export function alignRange(start: number, end: number, step: number): { start: number; end: number } {
  return { start: Math.floor(start / step) * step, end: Math.floor(end / step) * step };
}

/**
 * The window for rate(): at least four steps (so no point falls between windows) and at least
 * one minute (four pushes at the SDK's default 15s interval), as Grafana's `$__rate_interval`.
 */
export function rateWindow(step: number): string {
  return formatDuration(Math.max(60, Math.ceil(step * 4)));
}

/** Seconds-ago as "12s ago", "3m ago", "2h ago". */
export function ago(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}
