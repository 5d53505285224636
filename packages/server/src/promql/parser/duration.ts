/** Prometheus durations (`1h30m`, `500ms`, `1y`): parsing to milliseconds and canonical formatting. */

const UNITS: ReadonlyMap<string, { readonly ms: number; readonly order: number }> = new Map([
  ['y', { ms: 365 * 24 * 3600_000, order: 1 }],
  ['w', { ms: 7 * 24 * 3600_000, order: 2 }],
  ['d', { ms: 24 * 3600_000, order: 3 }],
  ['h', { ms: 3600_000, order: 4 }],
  ['m', { ms: 60_000, order: 5 }],
  ['s', { ms: 1000, order: 6 }],
  ['ms', { ms: 1, order: 7 }],
]);

/** Go's time.Duration (int64 nanoseconds) is the limit Prometheus enforces, here in ms. */
const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * Parses a duration such as `1h30m`, `5m`, `500ms`, `1y`, `1w`, `1d` or `0` into milliseconds.
 * Units must go from biggest to smallest, each at most once, with integer amounts — the rules of
 * Prometheus' `model.ParseDuration`, whose error texts this throws (as plain `Error`s).
 */
export function parseDuration(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  const invalid = () => new Error(`not a valid duration string: ${JSON.stringify(s)}`);
  let total = 0;
  let lastOrder = 0;
  let i = 0;
  while (i < s.length) {
    const digits = /^[0-9]+/.exec(s.slice(i));
    if (!digits) throw invalid();
    i += digits[0].length;
    const unitText = /^[^0-9]+/.exec(s.slice(i));
    if (!unitText) throw invalid();
    i += unitText[0].length;
    const unit = UNITS.get(unitText[0]);
    if (!unit)
      throw new Error(`unknown unit ${JSON.stringify(unitText[0])} in duration ${JSON.stringify(s)}`);
    if (unit.order <= lastOrder) throw invalid();
    lastOrder = unit.order;
    total += Number(digits[0]) * unit.ms;
    if (total > MAX_DURATION_MS) throw new Error('duration out of range');
  }
  return total;
}

/**
 * Formats milliseconds like Prometheus' `model.Duration.String()`: `0s`, `1m30s`, `1h`, `2w`, `90d`.
 * Years and weeks are used only when they divide the rest exactly (90d reads better than 12w6d).
 * Negative values get a leading `-`.
 */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.trunc(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const [name, unit] of UNITS) {
    const exactOnly = name === 'y' || name === 'w';
    if (exactOnly && rest % unit.ms !== 0) continue;
    const n = Math.floor(rest / unit.ms);
    if (n > 0) {
      out += `${n}${name}`;
      rest -= n * unit.ms;
    }
  }
  return out;
}
