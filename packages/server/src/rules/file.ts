/**
 * Rule files in Prometheus' format (`groups:` → `rules:` with `record` or `alert`), parsed and
 * validated with the checks of Prometheus' `rulefmt` package. Every problem is collected with its
 * file, line, group and rule, so one run of `check-rules` shows all of them.
 */

import { readFileSync } from 'node:fs';
import { isValidLabelName, isValidMetricName } from '../model/names.js';
import type { Expr } from '../promql/parser/ast.js';
import { parseDuration } from '../promql/parser/duration.js';
import { parseExpr } from '../promql/parser/parse.js';
import { RuleFileError, RuleFileProblem, type RulePosition } from './errors.js';
import { Template } from './template/exec.js';
import { type Located, type Report, scalarText, YamlSource } from './yaml_nodes.js';

/** One rule as written in a file, validated. */
export interface RuleSpec {
  readonly kind: 'record' | 'alert';
  /** The `record` or `alert` name. */
  readonly name: string;
  readonly expr: string;
  readonly ast: Expr;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly line: number;
}

/** One group as written in a file, validated. */
export interface GroupSpec {
  readonly name: string;
  readonly file: string;
  /** Evaluation interval; undefined means the global default. */
  readonly intervalMs: number | undefined;
  readonly queryOffsetMs: number;
  /** Most series (recording) or alerts (alerting) a rule may produce; 0 means no limit. */
  readonly limit: number;
  /** Labels added to every rule of the group (a rule's own labels win). */
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: readonly RuleSpec[];
  readonly line: number;
}

const GROUP_FIELDS = ['name', 'interval', 'query_offset', 'limit', 'labels', 'rules'];
const RULE_FIELDS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];

function durationField(v: Located | undefined, what: string, report: Report): number | undefined {
  if (v === undefined) return undefined;
  const text = scalarText(v);
  if (text === null || text === '') {
    report(v, `${what} must be a duration such as 30s or 5m`);
    return undefined;
  }
  try {
    return parseDuration(text);
  } catch (err) {
    report(v, `invalid ${what} ${JSON.stringify(text)}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Parses and validates one rule file's text; throws {@link RuleFileError} with every problem. */
export function parseRuleFile(file: string, text: string): GroupSpec[] {
  const problems: RuleFileProblem[] = [];
  let ctx: Omit<RulePosition, 'line' | 'col'> = { file };
  const report: Report = (at, message) =>
    problems.push(new RuleFileProblem({ ...ctx, line: at.line, col: at.col }, message));
  const src = new YamlSource(text, report);
  const top = src.fields(src.root, 'the rule file', ['groups'], report);
  const groups: GroupSpec[] = [];
  const seenGroups = new Set<string>();
  for (const g of src.items(top.get('groups') ?? src.root, 'groups', report)) {
    if (top.get('groups') === undefined) break;
    ctx = { file };
    const f = src.fields(g, 'a group', GROUP_FIELDS, report);
    const name = scalarText(f.get('name')) ?? '';
    if (name === '') report(f.get('name') ?? g, 'group name must not be empty');
    else if (seenGroups.has(name))
      report(f.get('name')!, `group name ${JSON.stringify(name)} is repeated in the same file`);
    seenGroups.add(name);
    ctx = { file, group: name };
    const intervalMs = durationField(f.get('interval'), 'interval', report);
    if (intervalMs === 0) report(f.get('interval')!, 'interval must be greater than 0');
    const queryOffsetMs = durationField(f.get('query_offset'), 'query_offset', report) ?? 0;
    let limit = 0;
    const limitLoc = f.get('limit');
    if (limitLoc !== undefined) {
      limit = Number(scalarText(limitLoc));
      if (!Number.isInteger(limit) || limit < 0) {
        report(limitLoc, 'limit must be a non-negative integer');
        limit = 0;
      }
    }
    const groupLabels = labelMap(src, f.get('labels'), 'group labels', report);
    const rules: RuleSpec[] = [];
    src.items(f.get('rules') ?? g, 'rules', report).forEach((r, i) => {
      if (f.get('rules') === undefined) return;
      // Names first (quietly), so that every problem of the rule, unknown fields too, names it.
      const names = src.fields(r, 'a rule', RULE_FIELDS, () => {});
      const record = scalarText(names.get('record')) ?? '';
      const alert = scalarText(names.get('alert')) ?? '';
      ctx = { file, group: name, ruleIndex: i + 1, ruleName: record || alert };
      const rf = src.fields(r, 'a rule', RULE_FIELDS, report);
      const rule = parseRule(src, r, rf, record, alert, groupLabels, report);
      if (rule !== null) rules.push(rule);
    });
    ctx = { file, group: name };
    groups.push({
      name,
      file,
      intervalMs,
      queryOffsetMs,
      limit,
      labels: groupLabels,
      rules,
      line: g.line,
    });
  }
  if (problems.length > 0) throw new RuleFileError(problems);
  return groups;
}

function labelMap(
  src: YamlSource,
  loc: Located | undefined,
  what: string,
  report: Report,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (loc === undefined) return out;
  for (const [k, { value, at }] of src.stringMap(loc, what, report)) {
    if (!isValidLabelName(k)) report(at, `invalid label name ${JSON.stringify(k)} in ${what}`);
    else if (k === '__name__') report(at, `${what} must not set __name__`);
    out[k] = value;
  }
  return out;
}

function parseRule(
  src: YamlSource,
  at: Located,
  f: Map<string, Located>,
  record: string,
  alert: string,
  groupLabels: Readonly<Record<string, string>>,
  report: Report,
): RuleSpec | null {
  const before = { n: 0 };
  const note: Report = (p, m) => {
    before.n++;
    report(p, m);
  };
  if (f.has('record') && f.has('alert')) note(at, "only one of 'record' and 'alert' must be set");
  else if (record === '' && alert === '') note(at, "one of 'record' or 'alert' must be set");
  const kind = record !== '' ? 'record' : 'alert';
  const exprText = scalarText(f.get('expr')) ?? '';
  let ast: Expr | null = null;
  if (exprText.trim() === '') note(f.get('expr') ?? at, "field 'expr' must be set in rule");
  else {
    try {
      ast = parseExpr(exprText);
    } catch (err) {
      note(f.get('expr')!, `could not parse expression: ${(err as Error).message}`);
    }
  }
  if (kind === 'record') {
    if (!isValidMetricName(record)) note(f.get('record')!, `invalid recording rule name: ${record}`);
    for (const field of ['annotations', 'for', 'keep_firing_for'])
      if (f.has(field)) note(f.get(field)!, `invalid field '${field}' in recording rule`);
  }
  const forMs = durationField(f.get('for'), "'for'", note) ?? 0;
  const keepFiringForMs = durationField(f.get('keep_firing_for'), "'keep_firing_for'", note) ?? 0;
  const labels = { ...groupLabels, ...labelMap(src, f.get('labels'), 'labels', note) };
  const annotations = labelMap(src, f.get('annotations'), 'annotations', note);
  if (kind === 'alert') {
    for (const [what, map, loc] of [
      ['label', labels, f.get('labels')],
      ['annotation', annotations, f.get('annotations')],
    ] as const) {
      for (const [k, v] of Object.entries(map)) {
        try {
          new Template(`__alert_${alert}`, v);
        } catch (err) {
          note(loc ?? at, `invalid template in ${what} ${JSON.stringify(k)}: ${(err as Error).message}`);
        }
      }
    }
  }
  if (before.n > 0 || ast === null) return null;
  return {
    kind,
    name: kind === 'record' ? record : alert,
    expr: exprText,
    ast,
    forMs,
    keepFiringForMs,
    labels,
    annotations,
    line: at.line,
  };
}

/** Reads and parses rule files; throws {@link RuleFileError} with the problems of all of them. */
export function loadRuleFiles(files: readonly string[]): GroupSpec[] {
  const groups: GroupSpec[] = [];
  const problems: RuleFileProblem[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push(new RuleFileProblem({ file, line: 0, col: 0 }, `cannot read: ${(err as Error).message}`));
      continue;
    }
    try {
      groups.push(...parseRuleFile(file, text));
    } catch (err) {
      if (!(err instanceof RuleFileError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new RuleFileError(problems);
  return groups;
}
