/**
 * The Prometheus conformance suite: every eval of ../shared/promql-tests/upstream/*.test runs
 * against the engine (native-histogram evals skipped). The number of passing evals per file must
 * not fall below the committed baseline (`baseline.json`), a ratchet raised as the engine improves:
 * run with `UPDATE_PROMQL_BASELINE=1` to raise it to the current counts (it never lowers them).
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseExpr } from '../parser/parse.js';
import { runScript, skipLinesFor } from './runner.js';

const here = dirname(fileURLToPath(import.meta.url));
const suite = resolve(here, '../../../../../../shared/promql-tests');
const baselinePath = join(here, 'baseline.json');
const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as Record<string, number>;

test('upstream promqltest files pass at least the baseline number of evals', async () => {
  assert.ok(
    existsSync(join(suite, 'upstream')),
    `cannot run the PromQL conformance suite: ${join(suite, 'upstream')} is missing (the shared test corpus, ../shared/promql-tests, must sit beside the repository)`,
  );
  const files = readdirSync(join(suite, 'upstream'))
    .filter((f) => f.endsWith('.test'))
    .sort();
  const below: string[] = [];
  const raised: Record<string, number> = { ...baseline };
  for (const f of files) {
    const path = join(suite, 'upstream', f);
    const skipLines = skipLinesFor(join(suite, 'native-histogram-evals.json'), f);
    const res = await runScript(f, readFileSync(path, 'utf8'), {
      parse: parseExpr,
      ...(skipLines ? { skipLines } : {}),
    });
    console.log(JSON.stringify({ file: f, passed: res.passed, failed: res.failed, skipped: res.skipped }));
    const min = baseline[f] ?? 0;
    raised[f] = Math.max(min, res.passed);
    if (res.passed < min) {
      const sample = res.failures
        .slice(0, 5)
        .map((x) => `    ${f}:${x.line}: ${x.expr} — ${x.message}`)
        .join('\n');
      below.push(`${f}: ${res.passed} passed, baseline ${min}\n${sample}`);
    }
  }
  if (process.env.UPDATE_PROMQL_BASELINE === '1') {
    writeFileSync(baselinePath, `${JSON.stringify(raised, null, 2)}\n`);
  }
  assert.deepEqual(below, [], `conformance fell below the baseline:\n${below.join('\n')}`);
});
