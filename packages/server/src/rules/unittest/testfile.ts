/**
 * Rule unit test files in the format of `promtool test rules`: `rule_files`,
 * `evaluation_interval`, `group_eval_order`, and `tests` with `input_series` in promqltest's
 * expanding notation (`0+10x100`, `_`, `stale`), `alert_rule_test` and `promql_expr_test`.
 */

import { dirname, isAbsolute, join } from 'node:path';
import type { Labels } from '../../model/labels.js';
import { parseDuration } from '../../promql/parser/duration.js';
import { parseNumber, parseSeriesLine, type SeriesValue } from '../../promql/promqltest/series.js';
import { type Located, type Report, scalarText, YamlSource } from '../yaml_nodes.js';

export interface InputSeries {
  readonly labels: Labels;
  readonly values: readonly SeriesValue[];
}

export interface AlertTest {
  readonly evalTimeMs: number;
  readonly alertname: string;
  readonly expAlerts: readonly { labels: Record<string, string>; annotations: Record<string, string> }[];
}

export interface ExprTest {
  readonly expr: string;
  readonly evalTimeMs: number;
  readonly expSamples: readonly { labels: Labels; value: number }[];
}

export interface TestGroup {
  readonly name: string;
  readonly intervalMs: number;
  readonly inputSeries: readonly InputSeries[];
  readonly alertTests: readonly AlertTest[];
  readonly exprTests: readonly ExprTest[];
  readonly externalLabels: Record<string, string>;
  readonly externalURL: string;
}

export interface RuleTestFile {
  readonly ruleFiles: readonly string[];
  readonly evaluationIntervalMs: number;
  readonly groupEvalOrder: readonly string[];
  readonly fuzzyCompare: boolean;
  readonly tests: readonly TestGroup[];
}

function duration(loc: Located | undefined, what: string, report: Report, fallback: number): number {
  const text = scalarText(loc);
  if (loc === undefined || text === '') return fallback;
  try {
    if (text === null) throw new Error('must be a duration');
    return parseDuration(text);
  } catch (err) {
    report(loc, `invalid ${what} ${JSON.stringify(text)}: ${(err as Error).message}`);
    return fallback;
  }
}

function labelsOf(text: string): Labels {
  return text.trim() === '' ? [] : parseSeriesLine(text.trim()).labels;
}

/** Parses a test file; problems are reported as `line:col: message`. */
export function parseRuleTestFile(file: string, text: string): { test: RuleTestFile; problems: string[] } {
  const problems: string[] = [];
  const report: Report = (at, m) => problems.push(`${file}:${at.line}:${at.col}: ${m}`);
  const src = new YamlSource(text, report);
  const top = src.fields(
    src.root,
    'the test file',
    ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests', 'fuzzy_compare'],
    report,
  );
  const strings = (loc: Located | undefined, what: string) =>
    loc === undefined ? [] : src.items(loc, what, report).map((x) => scalarText(x) ?? '');
  const ruleFiles = strings(top.get('rule_files'), 'rule_files').map((f) =>
    isAbsolute(f) ? f : join(dirname(file), f),
  );
  const evaluationIntervalMs = duration(
    top.get('evaluation_interval'),
    'evaluation_interval',
    report,
    60_000,
  );
  const tests: TestGroup[] = [];
  for (const t of top.get('tests') === undefined ? [] : src.items(top.get('tests')!, 'tests', report)) {
    const f = src.fields(
      t,
      'a test',
      [
        'interval',
        'input_series',
        'alert_rule_test',
        'promql_expr_test',
        'external_labels',
        'external_url',
        'name',
      ],
      report,
    );
    const inputSeries: InputSeries[] = [];
    for (const s of f.get('input_series') ? src.items(f.get('input_series')!, 'input_series', report) : []) {
      const sf = src.fields(s, 'an input series', ['series', 'values'], report);
      try {
        const line = parseSeriesLine(
          `${scalarText(sf.get('series')) ?? ''} ${scalarText(sf.get('values')) ?? ''}`,
        );
        if (line.values.some((v) => v.kind === 'histogram'))
          report(s, 'native histogram input series are not supported');
        inputSeries.push(line);
      } catch (err) {
        report(s, `invalid input series: ${(err as Error).message}`);
      }
    }
    const alertTests: AlertTest[] = [];
    for (const a of f.get('alert_rule_test')
      ? src.items(f.get('alert_rule_test')!, 'alert_rule_test', report)
      : []) {
      const af = src.fields(a, 'an alert test', ['eval_time', 'alertname', 'exp_alerts'], report);
      const expAlerts = (
        af.get('exp_alerts') ? src.items(af.get('exp_alerts')!, 'exp_alerts', report) : []
      ).map((e) => {
        const ef = src.fields(e, 'an expected alert', ['exp_labels', 'exp_annotations'], report);
        const map = (loc: Located | undefined, what: string) =>
          Object.fromEntries(
            [...(loc ? src.stringMap(loc, what, report) : new Map<string, { value: string }>())].map(
              ([k, v]) => [k, v.value],
            ),
          );
        return {
          labels: map(ef.get('exp_labels'), 'exp_labels'),
          annotations: map(ef.get('exp_annotations'), 'exp_annotations'),
        };
      });
      const alertname = scalarText(af.get('alertname')) ?? '';
      const evalTimeMs = duration(af.get('eval_time'), 'eval_time', report, 0);
      if (alertname === '')
        report(
          a,
          `an item under alert_rule_test misses required attribute alertname at eval_time ${evalTimeMs / 1000}s`,
        );
      alertTests.push({ evalTimeMs, alertname, expAlerts });
    }
    const exprTests: ExprTest[] = [];
    for (const p of f.get('promql_expr_test')
      ? src.items(f.get('promql_expr_test')!, 'promql_expr_test', report)
      : []) {
      const pf = src.fields(p, 'a PromQL test', ['expr', 'eval_time', 'exp_samples'], report);
      const expSamples: { labels: Labels; value: number }[] = [];
      for (const s of pf.get('exp_samples') ? src.items(pf.get('exp_samples')!, 'exp_samples', report) : []) {
        const sf = src.fields(s, 'an expected sample', ['labels', 'value', 'histogram'], report);
        try {
          expSamples.push({
            labels: labelsOf(scalarText(sf.get('labels')) ?? ''),
            value: parseNumber(scalarText(sf.get('value')) || '0'),
          });
        } catch (err) {
          report(s, `invalid expected sample: ${(err as Error).message}`);
        }
      }
      exprTests.push({
        expr: scalarText(pf.get('expr')) ?? '',
        evalTimeMs: duration(pf.get('eval_time'), 'eval_time', report, 0),
        expSamples,
      });
    }
    tests.push({
      name: scalarText(f.get('name')) ?? '',
      intervalMs: duration(f.get('interval'), 'interval', report, evaluationIntervalMs),
      inputSeries,
      alertTests,
      exprTests,
      externalLabels: Object.fromEntries(
        [
          ...(f.get('external_labels')
            ? src.stringMap(f.get('external_labels')!, 'external_labels', report)
            : []),
        ].map(([k, v]) => [k, v.value]),
      ),
      externalURL: scalarText(f.get('external_url')) ?? '',
    });
  }
  return {
    test: {
      ruleFiles,
      evaluationIntervalMs,
      groupEvalOrder: strings(top.get('group_eval_order'), 'group_eval_order'),
      fuzzyCompare: scalarText(top.get('fuzzy_compare')) === 'true',
      tests,
    },
    problems,
  };
}
