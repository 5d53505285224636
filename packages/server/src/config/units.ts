/** Parsers for the value syntaxes of settings: durations, byte sizes, integers. */

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;

/** `1h30m`, `10s`, `500ms`, `15d` → milliseconds; null when malformed. */
export function parseDurationSetting(text: string): number | null {
  const s = text.trim();
  if (s === '') return null;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(DURATION_RE)) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === s.length ? Math.round(total) : null;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `16MiB`, `1GB`, `1048576` → bytes; null when malformed. */
export function parseBytesSetting(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (m === null) return null;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? null : Math.round(Number(m[1]) * unit);
}

/** A positive integer within [min, max]; null otherwise. */
export function parseIntSetting(text: string, min: number, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}
