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
  if (text !== lastText) {
    lastResult = parse(text);
    lastText = text;
  }
  return lastResult;
}

/**
 * The last text parsed and its result: SDKs stamp all the points of a collection alike, and the
 * reference parser reads every point of the bodies the fast scanner leaves to it (the Go SDK's
 * delta histograms) through here, a regular expression and a `Date` each.
 */
let lastText = '';
let lastResult: number | null = null;

function parse(text: string): number | null {
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The last valid date parsed (yyyymmdd) and its day number since the epoch. */
let lastDate = -1;
let lastDays = 0;

/** Two ASCII digits at `i` as a number, or -1. */
function digits2(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * {@link parseRfc3339} over the bytes `b[start, end)` (ASCII), without a regexp or a Date: the
 * same results for every input (a test checks both on random and edge-case texts).
 */
export function parseRfc3339Bytes(b: Uint8Array, start: number, end: number): number | null {
  if (end - start < 20) return null;
  const y1 = digits2(b, start);
  const y2 = digits2(b, start + 2);
  const month = digits2(b, start + 5);
  const day = digits2(b, start + 8);
  const hour = digits2(b, start + 11);
  const minute = digits2(b, start + 14);
  const second = digits2(b, start + 17);
  const sep = b[start + 10];
  if (
    y1 < 0 ||
    y2 < 0 ||
    b[start + 4] !== 0x2d ||
    b[start + 7] !== 0x2d ||
    (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) ||
    b[start + 13] !== 0x3a ||
    b[start + 16] !== 0x3a ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 60
  )
    return null;
  // A leap second rolls over into the next minute (and maybe day) as Date does: leave it to the
  // reference implementation rather than repeat that quirk here.
  if (second === 60)
    return parseRfc3339(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1'));
  let i = start + 19;
  let ms = 0;
  if (b[i] === 0x2e) {
    i++;
    const fracStart = i;
    while (i < end && i - fracStart < 10) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      if (i - fracStart < 3) ms += d * (i === fracStart ? 100 : i === fracStart + 1 ? 10 : 1);
      i++;
    }
    const n = i - fracStart;
    if (n < 1 || n > 9) return null;
  }
  let offset = 0;
  const z = b[i];
  if (z === 0x5a || z === 0x7a) {
    if (i + 1 !== end) return null;
  } else if (z === 0x2b || z === 0x2d) {
    const oh = digits2(b, i + 1);
    const om = digits2(b, i + 4);
    if (i + 6 !== end || oh < 0 || om < 0 || b[i + 3] !== 0x3a) return null;
    offset = (oh * 60 + om) * 60_000;
    if (z === 0x2d) offset = -offset;
  } else return null;
  const date = (y1 * 100 + y2) * 10_000 + month * 100 + day;
  // Points of a request are mostly of one day: its day number is computed once.
  if (date !== lastDate) {
    const year = y1 * 100 + y2;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
    lastDays = daysFromCivil(year, month, day);
    lastDate = date;
  }
  const t = lastDays * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms - offset;
  return t === GO_ZERO_TIME_MS ? 0 : t;
}
