/**
 * The series notation shared by the CSV and OpenMetrics formats: `name{a="b",c="d"}` with
 * label values escaped as in the exposition format (`\\`, `\"`, `\n`).
 */

/** A parsed series and where its text ended. */
export interface SeriesParse {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly end: number;
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;

/** Parses a series starting at `pos`; throws an Error saying what is wrong and where. */
export function parseSeriesText(s: string, pos = 0): SeriesParse {
  let i = pos;
  if (!NAME_START.test(s[i] ?? '')) throw new Error(`expected a metric name at column ${i + 1}`);
  while (i < s.length && NAME_CHAR.test(s[i]!)) i++;
  const name = s.slice(pos, i);
  const labels: Record<string, string> = {};
  if (s[i] !== '{') return { name, labels, end: i };
  i++;
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '}') return { name, labels, end: i + 1 };
    const start = i;
    while (i < s.length && NAME_CHAR.test(s[i]!)) i++;
    const label = s.slice(start, i);
    if (label === '') throw new Error(`expected a label name at column ${i + 1}`);
    if (s[i] !== '=' || s[i + 1] !== '"')
      throw new Error(`expected ="…" after label ${label} at column ${i + 1}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = s[i];
      if (c === undefined) throw new Error(`unterminated value of label ${label}`);
      i++;
      if (c === '"') break;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = s[i++];
      if (e === 'n') value += '\n';
      else if (e === '\\' || e === '"') value += e;
      else throw new Error(`invalid escape \\${e ?? ''} in the value of label ${label}`);
    }
    if (label in labels) throw new Error(`label ${label} appears twice`);
    labels[label] = value;
    while (s[i] === ' ') i++;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`expected , or } at column ${i + 1}`);
  }
}
