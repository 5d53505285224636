/**
 * Timestamps of the native JSON format. The original Go SDK marshals `time.Time`, so timestamps
 * are RFC 3339 strings with up to nanosecond precision, and an unset time is the zero time
 * `0001-01-01T00:00:00Z`, which means "now". A number is milliseconds since the epoch (an
 * extension for clients that have one at hand).
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of Go's zero `time.Time`. */
const GO_ZERO_TIME_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z

/**
 * Parses an RFC 3339 timestamp to integer milliseconds (sub-millisecond digits are truncated).
 * Returns `null` for text that is not RFC 3339, and `0` for Go's zero time so that the caller
 * can substitute "now".
 */
export function parseRfc3339(text: string): number | null {
  const m = RFC3339.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(Number(y), month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  let t = date.getTime();
  if (date.getUTCDate() !== day) return null; // e.g. February 30th
  if (z === undefined) {
    const offset = (Number(oh) * 60 + Number(om)) * 60_000;
    t -= sign === '+' ? offset : -offset;
  }
  return t === GO_ZERO_TIME_MS ? 0 : t;
}
