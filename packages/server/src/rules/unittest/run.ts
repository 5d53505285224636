/**
 * Runs rule unit tests as `promtool test rules` does (cmd/promtool/unittest.go): the input
 * series are loaded up to each evaluation time, every group is evaluated at 0, 1×, 2× … the
 * evaluation interval up to the last tested time, alert tests compare the firing alerts of the
 * evaluation at or just before their `eval_time`, and PromQL tests query the result at the end.
 */

import { readFileSync } from 'node:fs';
import { type Labels, labelsCompare, labelsFromRecord, labelsToString } from '../../model/labels.js';
import { STALE_NAN } from '../../model/sample.js';
import { Engine } from '../../promql/engine/engine.js';
import { parseExpr } from '../../promql/parser/parse.js';
import { almostEqual } from '../../promql/promqltest/compare.js';
import { Head } from '../../tsdb/head/head.js';
import { AlertingRule } from '../alerting.js';
import { systemClock } from '../clock.js';
import { loadRuleFiles } from '../file.js';
import { expandGlobs } from '../glob.js';
import { Group } from '../group.js';
import { engineQueryFunc, type RuleSample } from '../query.js';
import { parseRuleTestFile, type RuleTestFile, type TestGroup } from './testfile.js';

/** Problems of one test file (empty: it passed). */
export async function runRuleTestFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return [`cannot read ${file}: ${(err as Error).message}`];
  }
  const { test, problems } = parseRuleTestFile(file, text);
  if (problems.length > 0) return problems;
  const errors: string[] = [];
  for (const tg of test.tests) errors.push(...(await runGroup(test, tg)));
  return errors;
}

function fmtDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
    [1, 'ms'],
  ];
  let rest = ms;
  let out = '';
  for (const [unit, name] of parts) {
    if (rest >= unit) {
      out += `${Math.floor(rest / unit)}${name}`;
      rest %= unit;
    }
  }
  return out;
}

interface LabelsAndAnnotations {
  labels: Labels;
  annotations: Labels;
}

function sortLA(xs: LabelsAndAnnotations[]): LabelsAndAnnotations[] {
  return xs.sort((a, b) => labelsCompare(a.labels, b.labels) || labelsCompare(a.annotations, b.annotations));
}

function laString(xs: readonly LabelsAndAnnotations[]): string {
  if (xs.length === 0) return '[]';
  const items = xs.map(
    (x, i) =>
      `${i}:\n              Labels:${labelsToString(x.labels)}\n              Annotations:${labelsToString(x.annotations)}`,
  );
  return `[\n            ${items.join(',\n            ')}\n            ]`;
}

function sameFloat(a: number, b: number, fuzzy: boolean): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return fuzzy ? almostEqual(a, b) : a === b;
}

function goFloatE(v: number): string {
  return v
    .toExponential()
    .toUpperCase()
    .replace(/E([+-])(\d)$/, 'E$10$2');
}

async function runGroup(test: RuleTestFile, tg: TestGroup): Promise<string[]> {
  const named = tg.name === '' ? '' : `    name: ${tg.name},\n`;
  let specs: ReturnType<typeof loadRuleFiles>;
  try {
    specs = loadRuleFiles(expandGlobs(test.ruleFiles));
  } catch (err) {
    return [(err as Error).message];
  }
  // Test data lives at any time, years ahead of the wall clock too (long-period.yml reaches 2262).
  const head = new Head({ maxFutureMs: Number.POSITIVE_INFINITY });
  const engine = new Engine({ noStepSubqueryInterval: test.evaluationIntervalMs });
  const query = engineQueryFunc(engine, head);
  const groups = specs.map(
    (spec) =>
      new Group(spec, tg.intervalMs, {
        store: head,
        clock: systemClock,
        ctx: { query, externalLabels: tg.externalLabels, externalURL: tg.externalURL },
        afterEval: () => {},
        restore: async () => {},
        warn: () => {},
      }),
  );
  // Partial order: groups named in group_eval_order first, in that order.
  const order = new Map(test.groupEvalOrder.map((n, i) => [n, i]));
  groups.sort((a, b) => (order.get(a.spec.name) ?? -1) - (order.get(b.spec.name) ?? -1));
  for (const g of groups) for (const r of g.rules) if (r instanceof AlertingRule) r.restored = true;

  // Input samples in time order, loaded lazily up to each evaluation time.
  const samples: { t: number; labels: Labels; v: number }[] = [];
  for (const s of tg.inputSeries)
    s.values.forEach((v, i) => {
      if (v.kind === 'float') samples.push({ t: i * tg.intervalMs, labels: s.labels, v: v.v });
      else if (v.kind === 'stale') samples.push({ t: i * tg.intervalMs, labels: s.labels, v: STALE_NAN });
    });
  samples.sort((a, b) => a.t - b.t);
  let loaded = 0;
  const loadTill = async (ts: number) => {
    const app = head.appender();
    while (loaded < samples.length && samples[loaded]!.t <= ts) {
      const s = samples[loaded++]!;
      app.append(0, s.labels, s.t, s.v);
    }
    await app.commit();
  };

  const maxt = Math.max(
    0,
    ...tg.alertTests.map((a) => a.evalTimeMs),
    ...tg.exprTests.map((e) => e.evalTimeMs),
  );
  const alertTimes = [...new Set(tg.alertTests.map((a) => a.evalTimeMs))].sort((a, b) => a - b);
  let curr = 0;
  const errs: string[] = [];
  const evalInterval = test.evaluationIntervalMs;
  for (let ts = 0; ts <= maxt; ts += evalInterval) {
    await loadTill(ts);
    const evalErrs: string[] = [];
    for (const g of groups) {
      await g.eval(ts);
      for (const r of g.rules)
        if (r.health === 'err')
          evalErrs.push(`    rule: ${r.name}, time: ${fmtDuration(ts)}, err: ${r.lastError}`);
    }
    errs.push(...evalErrs);
    if (evalErrs.length > 0) return errs;
    while (curr < alertTimes.length && ts <= alertTimes[curr]! && alertTimes[curr]! < ts + evalInterval) {
      const t = alertTimes[curr]!;
      for (const tc of tg.alertTests.filter((a) => a.evalTimeMs === t)) {
        const got: LabelsAndAnnotations[] = [];
        for (const g of groups)
          for (const r of g.rules)
            if (r instanceof AlertingRule && r.name === tc.alertname)
              for (const a of r.active.values())
                if (a.state === 'firing')
                  got.push({ labels: a.labels, annotations: labelsFromRecord(a.annotations) });
        const exp = tc.expAlerts.map((e) => ({
          labels: labelsFromRecord({ ...e.labels, alertname: tc.alertname }),
          annotations: labelsFromRecord(e.annotations),
        }));
        const gotS = laString(sortLA(got));
        const expS = laString(sortLA(exp));
        if (gotS !== expS)
          errs.push(
            `${named}    alertname: ${tc.alertname}, time: ${fmtDuration(t)}, \n        exp:${expS}, \n        got:${gotS}`,
          );
      }
      curr++;
    }
  }
  await loadTill(maxt);

  for (const tc of tg.exprTests) {
    let got: RuleSample[];
    try {
      got = await query(parseExpr(tc.expr), tc.evalTimeMs);
    } catch (err) {
      errs.push(
        `${named}    expr: ${JSON.stringify(tc.expr)}, time: ${fmtDuration(tc.evalTimeMs)}, err: ${(err as Error).message}`,
      );
      continue;
    }
    const gotS = [...got].sort((a, b) => labelsCompare(a.metric, b.metric));
    const expS = [...tc.expSamples].sort((a, b) => labelsCompare(a.labels, b.labels));
    const same =
      gotS.length === expS.length &&
      gotS.every(
        (g, i) =>
          labelsCompare(g.metric, expS[i]!.labels) === 0 && sameFloat(g.v, expS[i]!.value, test.fuzzyCompare),
      );
    if (!same) {
      const show = (xs: { l: Labels; v: number }[]) =>
        xs.length === 0 ? 'nil' : xs.map((x) => `${labelsToString(x.l)} ${goFloatE(x.v)}`).join(', ');
      errs.push(
        `${named}    expr: ${JSON.stringify(tc.expr)}, time: ${fmtDuration(tc.evalTimeMs)},\n        exp: ${show(expS.map((x) => ({ l: x.labels, v: x.value })))}\n        got: ${show(gotS.map((x) => ({ l: x.metric, v: x.v })))}`,
      );
    }
  }
  return errs;
}
