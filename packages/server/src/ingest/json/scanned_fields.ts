/**
 * The fields of a point the fast scanner read (scanner.ts), typed for the reference rules
 * (`readPointFields` in parse.ts) without making the object JSON.parse would have made: the path
 * of a point whose series is not cached yet. A client's first body is all such points (in a
 * fresh server's profile of a first body of ten thousand series, making those objects, with a
 * dictionary of labels, and reading them back with `for … in` was ~40 % of its scan).
 *
 * Only fields the reference rules take without a word are read here; for anything else (no name,
 * an unknown type, a value or timestamp of another kind, a label given twice, which JSON.parse
 * resolves by keeping the last) this returns null and the caller hands the object to `readPoint`,
 * so that every refusal is worded in one place.
 */

import type { Label } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import { numericTimestamp, type PointFields } from './parse.js';
import { F_NAME, F_TIMESTAMP, F_VALUE, type Scanner } from './scanner.js';
import { sameBytes } from './template.js';
import { parseRfc3339Bytes } from './timestamp.js';
import { numberAt, specialValue } from './tokens.js';

/** The scanned point's fields, or null when the reference rules must read its object. */
export function scannedFields(
  sc: Scanner,
  now: number,
  type: MetricType,
  help: string,
  unit: string,
): PointFields | null {
  const f = sc.fields;
  if (!(f & F_NAME) || sc.nameE === sc.nameS || !(f & F_VALUE)) return null;
  const value = scannedValue(sc);
  if (value === undefined) return null;
  const t = f & F_TIMESTAMP ? scannedTime(sc, now) : now;
  if (t === null) return null;
  const pairs = scannedLabels(sc);
  if (pairs === null) return null;
  return { name: sc.b.toString('utf8', sc.nameS, sc.nameE), type, value, t, pairs, help, unit };
}

/** The scanned point's value (a number or special-value token), or undefined for the reference rules. */
export function scannedValue(sc: Scanner): number | undefined {
  return sc.valueIsString ? specialValue(sc.b, sc.valueS, sc.valueE) : numberAt(sc.b, sc.valueS, sc.valueE);
}

/**
 * The time of the scanned point's timestamp token (RFC 3339, or finite milliseconds; 0 means
 * `now`), or null for the reference rules.
 */
export function scannedTime(sc: Scanner, now: number): number | null {
  if (sc.tsIsString) {
    const parsed = parseRfc3339Bytes(sc.b, sc.tsS, sc.tsE);
    return parsed === null ? null : parsed === 0 ? now : parsed;
  }
  const n = numberAt(sc.b, sc.tsS, sc.tsE);
  return Number.isFinite(n) ? numericTimestamp(n, now) : null;
}

/** The `labels` object's pairs in the order sent, or null when a name comes twice. */
function scannedLabels(sc: Scanner): Label[] | null {
  const b = sc.b;
  const p = sc.labelPos;
  const n = sc.labelCount * 4;
  const pairs: Label[] = [];
  for (let k = 0; k < n; k += 4) {
    const s = p[k]!;
    const e = p[k + 1]!;
    for (let j = 0; j < k; j += 4)
      if (p[j + 1]! - p[j]! === e - s && sameBytes(sc.view, s, sc.view, p[j]!, p[j + 1]!)) return null;
    pairs.push({ name: b.toString('utf8', s, e), value: b.toString('utf8', p[k + 2]!, p[k + 3]!) });
  }
  return pairs;
}
