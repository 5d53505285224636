/**
 * StatsD and DogStatsD datagrams (https://github.com/statsd/statsd/blob/master/docs/metric_types.md,
 * https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/): lines of
 *
 *   name:value[:value…]|type[|@rate][|#tag:value,tag…][|T<unix seconds>][|c:<container>]
 *
 * with types c (counter), g (gauge; a leading + or - adjusts it), ms (timer), h (histogram),
 * d (distribution) and s (set). DogStatsD events (`_e{…}`) and service checks (`_sc|…`) are not
 * metrics and are skipped. A malformed line is reported; the other lines of the datagram are kept.
 */

import type { Label } from '../../model/labels.js';

export type StatsdType = 'c' | 'g' | 'ms' | 'h' | 'd' | 's';

export interface StatsdLine {
  readonly name: string;
  readonly type: StatsdType;
  /** Numbers for every type but sets; a gauge's `+`/`-` sign is in `relative`. */
  readonly values: number[];
  /** Set members (type `s`). */
  readonly members: string[];
  readonly relative: boolean;
  /** Sample rate in (0, 1]. */
  readonly rate: number;
  /** Tags as label pairs, names as sent (the aggregator makes them valid). */
  readonly tags: Label[];
}

const TYPES = new Set<string>(['c', 'g', 'ms', 'h', 'd', 's']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface ParsedDatagram {
  readonly lines: StatsdLine[];
  readonly issues: string[];
}

export function parseDatagram(text: string): ParsedDatagram {
  const lines: StatsdLine[] = [];
  const issues: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('_e{') || line.startsWith('_sc|')) continue;
    const r = parseLine(line);
    if (typeof r === 'string') issues.push(`${JSON.stringify(line.slice(0, 80))}: ${r}`);
    else lines.push(r);
  }
  return { lines, issues };
}

function parseLine(line: string): StatsdLine | string {
  const sections = line.split('|');
  const head = sections[0]!;
  const colon = head.indexOf(':');
  if (colon <= 0) return 'expected name:value|type';
  const name = head.slice(0, colon);
  const type = sections[1];
  if (type === undefined || !TYPES.has(type)) return `unknown or missing type ${JSON.stringify(type ?? '')}`;
  const rawValues = head.slice(colon + 1).split(':');
  let rate = 1;
  const tags: Label[] = [];
  for (const s of sections.slice(2)) {
    if (s.startsWith('@')) {
      rate = Number(s.slice(1));
      if (!(rate > 0 && rate <= 1)) return `sample rate ${JSON.stringify(s)} is not in (0, 1]`;
    } else if (s.startsWith('#')) {
      for (const t of s.slice(1).split(',')) {
        if (t === '') continue;
        const i = t.indexOf(':');
        if (i > 0) tags.push({ name: t.slice(0, i), value: t.slice(i + 1) });
      }
    }
    // T<timestamp>, c:<container id> and unknown extensions are ignored: aggregation is per interval.
  }
  if (type === 's') return { name, type, values: [], members: rawValues, relative: false, rate, tags };
  const values: number[] = [];
  let relative = false;
  for (const v of rawValues) {
    if (!NUMBER.test(v)) return `value ${JSON.stringify(v)} is not a number`;
    if (type === 'g' && (v.startsWith('+') || v.startsWith('-'))) relative = true;
    values.push(Number(v));
  }
  return { name, type: type as StatsdType, values, members: [], relative, rate, tags };
}
