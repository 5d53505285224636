/**
 * Label sets: the identity of a series.
 *
 * A `Labels` value is an array of name/value pairs sorted by name with unique names; the metric
 * name is the `__name__` label. Keeping them sorted makes equality, hashing and printing linear.
 */

/** One label pair. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set: sorted by name, names unique, `__name__` included when the series has a name. */
export type Labels = readonly Label[];

/** The label that carries the metric name. */
export const METRIC_NAME = '__name__';

const SEP = '\xff';

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Builds a label set from a plain object, dropping empty values (an empty value means "absent"). */
export function labelsFromRecord(record: Readonly<Record<string, string>>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== undefined && value !== '') out.push({ name, value });
  }
  return out.sort(byName);
}

/** Sorts pairs by name and drops empty values; the last pair wins on a repeated name. */
export function labelsFromPairs(pairs: Iterable<Label>): Labels {
  const m = new Map<string, string>();
  for (const p of pairs) m.set(p.name, p.value);
  const out: Label[] = [];
  for (const [name, value] of m) if (value !== '') out.push({ name, value });
  return out.sort(byName);
}

/** A plain object copy of a label set, for JSON output. */
export function labelsToRecord(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) out[l.name] = l.value;
  return out;
}

/** The value of `name`, or '' when absent (Prometheus semantics: absent and empty are the same). */
export function labelsGet(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

/** The metric name of a series, or '' when it has none. */
export function metricName(ls: Labels): string {
  return labelsGet(ls, METRIC_NAME);
}

/**
 * A string that identifies a label set, usable as a Map key. Names and values cannot contain
 * U+00FF-free separators ambiguously because every pair contributes exactly two separators.
 */
export function labelsKey(ls: Labels): string {
  if (ls.length === 0) return '';
  // One join: concatenating pair by pair made a chain of intermediate strings, flattened again
  // when the key was hashed (~600 bytes of garbage per key of five labels, a third slower).
  const parts = new Array<string>(ls.length * 2);
  for (let i = 0; i < ls.length; i++) {
    parts[2 * i] = ls[i]!.name;
    parts[2 * i + 1] = ls[i]!.value;
  }
  return parts.join(SEP) + SEP;
}

/** Total order on label sets, as Prometheus' `labels.Compare`. */
export function labelsCompare(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name) return x.name < y.name ? -1 : 1;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
  }
  return a.length - b.length;
}

export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  }
  return true;
}

/** A copy with `name` set to `value` (removed when `value` is ''), still sorted. */
export function labelsWith(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let placed = false;
  for (const l of ls) {
    if (!placed && l.name >= name) {
      if (value !== '') out.push({ name, value });
      placed = true;
      if (l.name === name) continue;
    }
    out.push(l);
  }
  if (!placed && value !== '') out.push({ name, value });
  return out;
}

/** A copy without the given names. */
export function labelsWithout(ls: Labels, names: ReadonlySet<string>): Labels {
  return ls.filter((l) => !names.has(l.name));
}

/** A copy keeping only the given names. */
export function labelsKeep(ls: Labels, names: ReadonlySet<string>): Labels {
  return ls.filter((l) => names.has(l.name));
}

/** `{a="1", b="2"}` with the metric name in front, as Prometheus prints series. */
export function labelsToString(ls: Labels): string {
  const name = metricName(ls);
  const rest = ls
    .filter((l) => l.name !== METRIC_NAME)
    .map((l) => `${l.name}=${JSON.stringify(l.value)}`)
    .join(', ');
  return `${name}{${rest}}`;
}
