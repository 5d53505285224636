/** Parses a promqltest script (FORMAT.md §2, §3, §5) into commands. */

import {
  parseDuration,
  parseNumber,
  parseSeriesLine,
  readQuoted,
  ScriptError,
  type SeriesLine,
} from './series.js';

export interface LoadCmd {
  readonly kind: 'load';
  readonly line: number;
  readonly step: number;
  readonly series: SeriesLine[];
  /** `load_with_nhcb`: classic histograms also become native ones (unsupported, for skipping). */
  readonly nhcb: boolean;
  /** Uses `@st` start-timestamp lines (unsupported). */
  readonly startTimestamps: boolean;
}

export interface Expectation {
  readonly kind: 'fail' | 'warn' | 'no_warn' | 'info' | 'no_info' | 'ordered';
  readonly msg?: string;
  readonly regex?: RegExp;
}

export interface EvalCmd {
  readonly kind: 'eval';
  readonly line: number;
  readonly expr: string;
  readonly instant: boolean;
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly expectations: Expectation[];
  readonly series: SeriesLine[];
  readonly scalar: number | null;
  readonly string: string | null;
  /** `expect range vector from a to b step s` on an instant query. */
  readonly rangeVector: { start: number; end: number; step: number } | null;
  /** Legacy `eval_warn`/`eval_info`: at least one annotation of that kind. */
  readonly legacyWarn: boolean;
  readonly legacyInfo: boolean;
  /** The block's raw text, for the native-histogram skip rule. */
  readonly text: string;
}

export type Command = LoadCmd | EvalCmd | { readonly kind: 'clear'; readonly line: number };

interface Block {
  readonly line: number;
  readonly lines: string[];
}

function blocks(text: string): Block[] {
  const lines = text.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const out: Block[] = [];
  let cur: Block | null = null;
  lines.forEach((l, i) => {
    if (l === '') {
      cur = null;
      return;
    }
    // `clear` is a one-line command: a line right after it starts the next command.
    if (cur === null || cur.lines[0]!.toLowerCase() === 'clear') {
      cur = { line: i + 1, lines: [l] };
      out.push(cur);
    } else cur.lines.push(l);
  });
  return out;
}

function parseExpectation(rest: string): Expectation {
  const m = /^(\S+)\s*(.*)$/.exec(rest.trim());
  if (m === null) throw new ScriptError(`invalid expect line: ${rest}`);
  const kind = m[1] as Expectation['kind'];
  if (!['fail', 'warn', 'no_warn', 'info', 'no_info', 'ordered'].includes(kind)) {
    throw new ScriptError(`invalid expectation ${kind}`);
  }
  const tail = m[2]!;
  const msg = /^msg:\s*(.*)$/.exec(tail);
  if (msg !== null) return { kind, msg: msg[1]!.trim() };
  const re = /^regex:\s*(.*)$/.exec(tail);
  if (re !== null) return { kind, regex: new RegExp(re[1]!.trim()) };
  return { kind };
}

function parseEval(b: Block): EvalCmd {
  const header = b.lines[0]!;
  const words = header.split(/\s+/);
  const cmd = words[0]!.toLowerCase();
  const suffix = cmd.slice(4);
  let instant: boolean;
  let start: number;
  let end: number;
  let step = 0;
  let exprStart: number;
  if (words[1] === 'instant' && words[2] === 'at') {
    instant = true;
    start = end = parseDuration(words[3]!);
    exprStart = nthTokenEnd(header, 4);
  } else if (words[1] === 'range' && words[2] === 'from' && words[4] === 'to' && words[6] === 'step') {
    instant = false;
    start = parseDuration(words[3]!);
    end = parseDuration(words[5]!);
    step = parseDuration(words[7]!);
    exprStart = nthTokenEnd(header, 8);
  } else throw new ScriptError(`invalid eval header: ${header}`);
  const expectations: Expectation[] = [];
  if (suffix === '_fail') expectations.push({ kind: 'fail' });
  if (suffix === '_ordered') expectations.push({ kind: 'ordered' });
  const series: SeriesLine[] = [];
  let scalar: number | null = null;
  let str: string | null = null;
  let rangeVector: EvalCmd['rangeVector'] = null;
  for (const l of b.lines.slice(1)) {
    if (
      suffix === '_fail' &&
      (l.startsWith('expected_fail_message') || l.startsWith('expected_fail_regexp'))
    ) {
      const rest = l.replace(/^expected_fail_(message|regexp)/, '').trim();
      expectations[0] = l.startsWith('expected_fail_message')
        ? { kind: 'fail', msg: rest }
        : { kind: 'fail', regex: new RegExp(rest) };
      break;
    }
    if (l.startsWith('expect range vector')) {
      const w = l.split(/\s+/);
      rangeVector = { start: parseDuration(w[4]!), end: parseDuration(w[6]!), step: parseDuration(w[8]!) };
      continue;
    }
    if (l.startsWith('expect string')) {
      const rest = l.slice('expect string'.length).trim();
      str = readQuoted(rest, 0)[0];
      continue;
    }
    if (l.split(/\s+/)[0] === 'expect') {
      expectations.push(parseExpectation(l.slice(6)));
      continue;
    }
    if (isNumberLine(l)) {
      scalar = parseNumber(l);
      break;
    }
    series.push(parseSeriesLine(l));
  }
  return {
    kind: 'eval',
    line: b.line,
    expr: header.slice(exprStart).trim(),
    instant,
    start,
    end,
    step,
    expectations,
    series,
    scalar,
    string: str,
    rangeVector,
    legacyWarn: suffix === '_warn',
    legacyInfo: suffix === '_info',
    text: b.lines.join('\n'),
  };
}

function isNumberLine(l: string): boolean {
  try {
    parseNumber(l);
    return true;
  } catch {
    return false;
  }
}

/** The index just after the n-th whitespace-separated token of `s`. */
function nthTokenEnd(s: string, n: number): number {
  const re = /\S+/g;
  let m: RegExpExecArray | null = null;
  for (let i = 0; i < n; i++) {
    m = re.exec(s);
    if (m === null) throw new ScriptError(`incomplete eval header: ${s}`);
  }
  return m!.index + m![0].length;
}

function parseLoad(b: Block): LoadCmd {
  const words = b.lines[0]!.split(/\s+/);
  const nhcb = words[0]!.toLowerCase() === 'load_with_nhcb';
  const step = parseDuration(words[1] ?? '');
  const byKey = new Map<string, SeriesLine>();
  let startTimestamps = false;
  for (const l of b.lines.slice(1)) {
    if (/^[^\s{]*(\{[^}]*\})?@st(\s|$)/.test(l)) {
      startTimestamps = true;
      continue;
    }
    const s = parseSeriesLine(l);
    // The same label set twice in one block: the later line replaces the earlier one.
    byKey.set(JSON.stringify(s.labels), s);
  }
  return { kind: 'load', line: b.line, step, series: [...byKey.values()], nhcb, startTimestamps };
}

/** Parses a whole script. */
export function parseScript(text: string): Command[] {
  const out: Command[] = [];
  for (const b of blocks(text)) {
    const first = b.lines[0]!.split(/\s+/)[0]!.toLowerCase();
    if (first === 'clear') out.push({ kind: 'clear', line: b.line });
    else if (first.startsWith('load')) out.push(parseLoad(b));
    else if (first.startsWith('eval')) out.push(parseEval(b));
    else throw new ScriptError(`line ${b.line}: unknown command ${JSON.stringify(first)}`);
  }
  return out;
}
