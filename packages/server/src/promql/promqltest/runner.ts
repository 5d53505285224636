/**
 * Runs promqltest scripts against the engine. Each file starts with empty storage; its data is
 * loaded into a fresh storage (a bare in-memory head, or the real database: see stores.ts)
 * whenever it changed since the last eval.
 */

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Labels, labelsKey } from '../../model/labels.js';
import { STALE_NAN } from '../../model/sample.js';
import type { Queryable } from '../../storage/types.js';
import { Engine, type QueryResult, type VectorSample } from '../engine/engine.js';
import type { Expr } from '../parser/ast.js';
import { atCheckApplies, atCheckTimes, pinAt } from './atcheck.js';
import { checkResult } from './compare.js';
import { type EvalCmd, parseScript } from './script.js';
import { type LoadedStore, type LoadRow, loadStore, type StoreKind } from './stores.js';

/** The outcome of one eval that did not pass. */
export interface EvalFailure {
  readonly line: number;
  readonly expr: string;
  readonly message: string;
}

export interface FileResult {
  readonly file: string;
  passed: number;
  failed: number;
  skipped: number;
  readonly failures: EvalFailure[];
}

export interface RunOptions {
  readonly parse: (query: string) => Expr;
  /** 1-based header lines of evals to skip (native-histogram evals); else the §9 rule applies. */
  readonly skipLines?: ReadonlySet<number>;
  /** Where the data is loaded (default: a bare head). */
  readonly store?: StoreKind;
}

interface StoredSeries {
  labels: Labels;
  /** Timestamp → value; `null` is a stale marker (kept apart so its NaN bits cannot be lost). */
  samples: Map<number, number | null>;
}

/** Runs the script text of one file. */
export async function runScript(file: string, text: string, opts: RunOptions): Promise<FileResult> {
  const result: FileResult = { file, passed: 0, failed: 0, skipped: 0, failures: [] };
  const engine = new Engine({ parse: opts.parse, maxSamples: 10_000, timeoutMs: 100_000 });
  const data = new Map<string, StoredSeries>();
  /** Series holding native histograms (for the skip rule when no list is given). */
  let histogramSeries: Labels[] = [];
  let store: LoadedStore | null = null;
  const drop = async () => {
    const s = store;
    store = null;
    try {
      await s?.close();
    } catch (err) {
      result.failed++;
      result.failures.push({ line: 0, expr: '', message: (err as Error).message });
    }
  };
  let commands: ReturnType<typeof parseScript>;
  try {
    commands = parseScript(text);
  } catch (err) {
    result.failed++;
    result.failures.push({ line: 0, expr: '', message: `cannot parse script: ${(err as Error).message}` });
    return result;
  }
  for (const cmd of commands) {
    switch (cmd.kind) {
      case 'clear':
        data.clear();
        histogramSeries = [];
        await drop();
        break;
      case 'load':
        for (const s of cmd.series) {
          const key = labelsKey(s.labels);
          let stored = data.get(key);
          if (stored === undefined) {
            stored = { labels: s.labels, samples: new Map() };
            data.set(key, stored);
          }
          s.values.forEach((v, i) => {
            const t = i * cmd.step;
            if (v.kind === 'float') stored.samples.set(t, v.v);
            else if (v.kind === 'stale') stored.samples.set(t, null);
          });
          if (s.values.some((v) => v.kind === 'histogram')) histogramSeries.push(s.labels);
        }
        if (cmd.nhcb) histogramSeries.push(...nhcbSeries(cmd.series.map((s) => s.labels)));
        await drop();
        break;
      case 'eval': {
        if (shouldSkip(cmd, opts, histogramSeries)) {
          result.skipped++;
          break;
        }
        store ??= await loadStore(opts.store ?? 'head', timeOrdered(data));
        const failure = await runEval(engine, store.queryable, cmd, opts.parse);
        if (failure === null) result.passed++;
        else {
          result.failed++;
          result.failures.push({ line: cmd.line, expr: cmd.expr, message: failure });
        }
        break;
      }
    }
  }
  await drop();
  return result;
}

/** The synthetic `<base>{…}` series load_with_nhcb would create from `<base>_bucket` series. */
function nhcbSeries(labels: readonly Labels[]): Labels[] {
  const out: Labels[] = [];
  for (const ls of labels) {
    const name = ls.find((l) => l.name === '__name__')?.value ?? '';
    if (!name.endsWith('_bucket')) continue;
    out.push(
      ls
        .filter((l) => l.name !== 'le')
        .map((l) => (l.name === '__name__' ? { name: l.name, value: name.slice(0, -'_bucket'.length) } : l)),
    );
  }
  return out;
}

function shouldSkip(cmd: EvalCmd, opts: RunOptions, histogramSeries: readonly Labels[]): boolean {
  if (opts.skipLines !== undefined) return opts.skipLines.has(cmd.line);
  if (cmd.text.includes('{{')) return true;
  if (histogramSeries.length === 0) return false;
  // Without a list, skip evals whose selectors could touch a histogram series (FORMAT.md §9),
  // approximated by the metric names the expression mentions.
  return histogramSeries.some((ls) => {
    const name = ls.find((l) => l.name === '__name__')?.value ?? '';
    return name !== '' && new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(cmd.expr);
  });
}

/**
 * The data in global time order, so that no sample is ever older than what storage has already
 * seen (storage may refuse samples far behind its newest one).
 */
function timeOrdered(data: ReadonlyMap<string, StoredSeries>): LoadRow[] {
  const rows: LoadRow[] = [];
  for (const s of data.values()) {
    for (const [t, v] of s.samples) rows.push({ labels: s.labels, t, v: v === null ? STALE_NAN : v });
  }
  return rows.sort((a, b) => a.t - b.t);
}

async function runEval(
  engine: Engine,
  store: Queryable,
  cmd: EvalCmd,
  parse: (q: string) => Expr,
): Promise<string | null> {
  const fail = cmd.expectations.find((e) => e.kind === 'fail');
  let res: QueryResult;
  try {
    res = cmd.instant
      ? await engine.instantQuery(store, cmd.expr, cmd.rangeVector?.end ?? cmd.start)
      : await engine.rangeQuery(store, cmd.expr, cmd.start, cmd.end, cmd.step);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (fail === undefined) return `unexpected error: ${msg}`;
    if (fail.msg !== undefined && fail.msg !== msg)
      return `expected error ${JSON.stringify(fail.msg)}, got ${JSON.stringify(msg)}`;
    if (fail.regex !== undefined && !fail.regex.test(msg))
      return `expected error matching ${fail.regex}, got ${JSON.stringify(msg)}`;
    return null;
  }
  if (fail !== undefined) return 'expected the query to fail, it succeeded';
  const problem = checkResult(cmd, res);
  if (problem !== null || !cmd.instant) return problem;
  const rangeProblem = await rangeModeCheck(engine, store, cmd, cmd.expr);
  if (rangeProblem !== null) return rangeProblem;
  return atModeCheck(engine, store, cmd, parse);
}

/** FORMAT.md §8.2: the eval pinned with `@ T` gives the same result at other evaluation times. */
async function atModeCheck(
  engine: Engine,
  store: Queryable,
  cmd: EvalCmd,
  parse: (q: string) => Expr,
): Promise<string | null> {
  if (cmd.rangeVector !== null || !atCheckApplies(cmd.expr)) return null;
  const pinned = pinAt(parse(cmd.expr), cmd.start);
  const bare: EvalCmd = {
    ...cmd,
    expectations: cmd.expectations.filter((e) => e.kind === 'ordered'),
    legacyInfo: false,
    legacyWarn: false,
  };
  for (const t of atCheckTimes(cmd.start)) {
    let res: QueryResult;
    try {
      res = await engine.instantQuery(store, pinned, t);
    } catch (err) {
      return `with @ ${cmd.start / 1000} at ${t}ms: unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    }
    const problem =
      checkResult(bare, res) ?? (await rangeModeCheck(engine, store, { ...bare, start: t, end: t }, pinned));
    if (problem !== null) return `with @ ${cmd.start / 1000} at ${t}ms: ${problem}`;
  }
  return null;
}

/**
 * Upstream's extra check (FORMAT.md §8.1): an instant eval must also hold as the middle step of a
 * range query from T-1m to T+1m, which exercises the range evaluation path with the same data.
 */
async function rangeModeCheck(
  engine: Engine,
  store: Queryable,
  cmd: EvalCmd,
  query: string | Expr,
): Promise<string | null> {
  if (cmd.expectations.some((e) => e.kind === 'ordered') || cmd.rangeVector !== null || cmd.string !== null)
    return null;
  if (/\b(start|end|range|step)\s*\(\s*\)/.test(cmd.expr)) return null;
  if (cmd.scalar === null && cmd.series.length === 0 && cmd.expectations.some((e) => e.kind === 'fail'))
    return null;
  const t = cmd.start;
  let res: QueryResult;
  try {
    res = await engine.rangeQuery(store, query, t - 60_000, t + 60_000, 60_000);
  } catch (err) {
    return `in range mode: unexpected error: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (res.value.resultType !== 'matrix')
    return `in range mode: expected a matrix, got ${res.value.resultType}`;
  const at: VectorSample[] = [];
  for (const s of res.value.result) {
    const p = s.points.find((x) => x.t === t);
    if (p !== undefined) at.push({ metric: s.metric, t, v: p.v });
  }
  let value: QueryResult['value'];
  if (cmd.scalar !== null) {
    if (at.length !== 1) return `in range mode: expected one series for a scalar, got ${at.length}`;
    value = { resultType: 'scalar', t, v: at[0]!.v };
  } else value = { resultType: 'vector', result: at };
  const bare: EvalCmd = { ...cmd, expectations: [], legacyInfo: false, legacyWarn: false };
  const problem = checkResult(bare, { value, warnings: [], infos: [] });
  return problem === null ? null : `in range mode: ${problem}`;
}

/** Loads the native-histogram skip list (`native-histogram-evals.json`) for one file, if listed. */
export function skipLinesFor(listPath: string, file: string): Set<number> | undefined {
  let list: { files?: Record<string, { histogram_involved_eval_lines?: number[] }> };
  try {
    list = JSON.parse(readFileSync(listPath, 'utf8'));
  } catch {
    return undefined;
  }
  const entry = list.files?.[basename(file)];
  return entry === undefined ? undefined : new Set(entry.histogram_involved_eval_lines ?? []);
}
