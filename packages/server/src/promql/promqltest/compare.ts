/** Checking a query result against an eval block's expectations (FORMAT.md §6, §7). */

import { labelsKey, labelsToRecord } from '../../model/labels.js';
import { isStaleNaN } from '../../model/sample.js';
import type { QueryResult } from '../engine/engine.js';
import type { EvalCmd, Expectation } from './script.js';
import type { SeriesLine } from './series.js';

const MIN_NORMAL = 2.2250738585072014e-308;

/** Float equality with upstream's tolerance (util/almost). */
export function almostEqual(a: number, b: number, eps = 1e-6): boolean {
  if (isStaleNaN(a) || isStaleNaN(b)) return isStaleNaN(a) && isStaleNaN(b);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const sum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || sum < MIN_NORMAL) return diff < eps * MIN_NORMAL;
  return diff / Math.min(sum, Number.MAX_VALUE) < eps;
}

function fmtLabels(ls: SeriesLine['labels']): string {
  return JSON.stringify(labelsToRecord(ls));
}

function checkAnnotations(
  kind: 'warn' | 'info',
  got: readonly string[],
  exps: readonly Expectation[],
  legacy: boolean,
): string | null {
  const no = exps.some((e) => e.kind === `no_${kind}`);
  const want = exps.filter((e) => e.kind === kind);
  if (legacy && got.length === 0) return `expected at least one ${kind}, got none`;
  if (no && got.length > 0) return `expected no ${kind}, got ${JSON.stringify(got)}`;
  if (want.length === 0) return null;
  if (got.length === 0) return `expected ${kind} annotations, got none`;
  const matches = (e: Expectation, a: string): boolean =>
    e.msg !== undefined ? e.msg === a : e.regex !== undefined ? e.regex.test(a) : true;
  for (const e of want) {
    if (!got.some((a) => matches(e, a)))
      return `expected ${kind} ${e.msg ?? e.regex ?? ''} not found in ${JSON.stringify(got)}`;
  }
  for (const a of got) if (!want.some((e) => matches(e, a))) return `unexpected ${kind} ${JSON.stringify(a)}`;
  return null;
}

/**
 * The first label set that occurs twice in a result, else null: a result with a series twice
 * must not pass because its count happens to equal the expected one.
 */
function duplicate(result: readonly { metric: SeriesLine['labels'] }[]): string | null {
  const seen = new Set<string>();
  for (const r of result) {
    const k = labelsKey(r.metric);
    if (seen.has(k)) return fmtLabels(r.metric);
    seen.add(k);
  }
  return null;
}

/** Returns null when the result satisfies the block, else a description of the mismatch. */
export function checkResult(cmd: EvalCmd, res: QueryResult): string | null {
  const ann =
    checkAnnotations('warn', res.warnings, cmd.expectations, cmd.legacyWarn) ??
    checkAnnotations('info', res.infos, cmd.expectations, cmd.legacyInfo);
  if (ann !== null) return ann;
  const v = res.value;
  if (cmd.string !== null) {
    if (v.resultType !== 'string') return `expected string, got ${v.resultType}`;
    return v.v === cmd.string
      ? null
      : `expected string ${JSON.stringify(cmd.string)}, got ${JSON.stringify(v.v)}`;
  }
  if (cmd.scalar !== null) {
    if (v.resultType !== 'scalar') return `expected scalar ${cmd.scalar}, got ${v.resultType}`;
    return almostEqual(v.v, cmd.scalar) ? null : `expected scalar ${cmd.scalar}, got ${v.v}`;
  }
  switch (v.resultType) {
    case 'scalar':
    case 'string':
      return `expected a vector, got ${v.resultType} ${v.v}`;
    case 'vector': {
      if (!cmd.instant) return 'range query returned a vector';
      const ordered = cmd.expectations.some((e) => e.kind === 'ordered');
      if (v.result.length !== cmd.series.length) {
        return `expected ${cmd.series.length} samples, got ${v.result.length}: ${v.result.map((s) => `${fmtLabels(s.metric)} ${s.v}`).join('; ')}`;
      }
      const dup = duplicate(v.result);
      if (dup !== null) return `duplicate series in the result: ${dup}`;
      const expected = new Map(cmd.series.map((s, i) => [labelsKey(s.labels), { s, i }]));
      for (let i = 0; i < v.result.length; i++) {
        const got = v.result[i]!;
        const e = expected.get(labelsKey(got.metric));
        if (e === undefined) return `unexpected sample ${fmtLabels(got.metric)} ${got.v}`;
        if (ordered && e.i !== i) return `sample ${fmtLabels(got.metric)} at position ${i}, expected ${e.i}`;
        const want = e.s.values[0];
        if (want === undefined || want.kind !== 'float')
          return `unsupported expected value for ${fmtLabels(got.metric)}`;
        if (!almostEqual(got.v, want.v)) return `${fmtLabels(got.metric)}: expected ${want.v}, got ${got.v}`;
      }
      return null;
    }
    case 'matrix': {
      let start = cmd.start;
      let step = cmd.step;
      if (cmd.instant) {
        if (cmd.rangeVector === null) {
          return v.result.length === 0 && cmd.series.length === 0
            ? null
            : 'instant query returned a range vector';
        }
        start = cmd.rangeVector.start;
        step = cmd.rangeVector.step;
      }
      const dup = duplicate(v.result);
      if (dup !== null) return `duplicate series in the result: ${dup}`;
      const expected = new Map(cmd.series.map((s) => [labelsKey(s.labels), s]));
      if (v.result.length !== cmd.series.length) {
        return `expected ${cmd.series.length} series, got ${v.result.length}: ${v.result.map((s) => fmtLabels(s.metric)).join('; ')}`;
      }
      for (const got of v.result) {
        const e = expected.get(labelsKey(got.metric));
        if (e === undefined) return `unexpected series ${fmtLabels(got.metric)}`;
        const want: { t: number; v: number }[] = [];
        e.values.forEach((x, i) => {
          if (x.kind === 'float') want.push({ t: start + i * step, v: x.v });
        });
        const render = (ps: readonly { t: number; v: number }[]): string =>
          ps.map((p) => `${p.v}@${p.t}`).join(' ');
        if (want.length !== got.points.length) {
          return `${fmtLabels(got.metric)}: expected points [${render(want)}], got [${render(got.points)}]`;
        }
        for (let i = 0; i < want.length; i++) {
          if (want[i]!.t !== got.points[i]!.t || !almostEqual(got.points[i]!.v, want[i]!.v)) {
            return `${fmtLabels(got.metric)}: expected points [${render(want)}], got [${render(got.points)}]`;
          }
        }
      }
      return null;
    }
  }
}
