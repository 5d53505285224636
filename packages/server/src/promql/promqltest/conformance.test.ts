/**
 * The Prometheus conformance suite: every float-only eval of ../shared/promql-tests/upstream/*.test
 * (native-histogram evals skipped by the shared list) and every eval of the project's own
 * testdata/*.test runs against the engine, once on a bare head and once on the real database
 * (write-ahead log, chunk store, tiers). A failure must be listed, with its reason, in
 * `expected_failures.json`; a listed failure that passes fails the test too, so that a new
 * failure can never hide behind a new pass. The project's own files have no expected failures.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseExpr } from '../parser/parse.js';
import { runScript, skipLinesFor } from './runner.js';
import type { StoreKind } from './stores.js';

const here = dirname(fileURLToPath(import.meta.url));
const suite = resolve(here, '../../../../../../shared/promql-tests');
const ownDir = join(here, 'testdata');

interface ExpectedFailure {
  readonly at: string;
  readonly stores: readonly StoreKind[];
  readonly why: string;
}
const expected = (
  JSON.parse(readFileSync(join(here, 'expected_failures.json'), 'utf8')) as { failures: ExpectedFailure[] }
).failures;

const testFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test'))
    .sort();

/** Runs every file of a folder on one store; returns the failures as `file:line: expr — message`. */
async function failures(dir: string, store: StoreKind): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of testFiles(dir)) {
    const skipLines = skipLinesFor(join(suite, 'native-histogram-evals.json'), f);
    const res = await runScript(f, readFileSync(join(dir, f), 'utf8'), {
      parse: parseExpr,
      store,
      ...(dir !== ownDir && skipLines ? { skipLines } : {}),
    });
    console.log(
      JSON.stringify({ store, file: f, passed: res.passed, failed: res.failed, skipped: res.skipped }),
    );
    for (const x of res.failures) out.set(`${f}:${x.line}`, `${x.expr} — ${x.message}`);
  }
  return out;
}

describe('PromQL conformance', () => {
  assert.ok(
    existsSync(join(suite, 'upstream')),
    `cannot run the PromQL conformance suite: ${join(suite, 'upstream')} is missing (the shared test corpus, ../shared/promql-tests, must sit beside the repository)`,
  );

  it('lists each expected failure once, with a reason', () => {
    const seen = new Set<string>();
    for (const e of expected) {
      assert.match(e.at, /^[a-z_]+\.test:\d+$/, `bad entry ${JSON.stringify(e)}`);
      assert.ok(!seen.has(e.at), `${e.at} is listed twice`);
      seen.add(e.at);
      assert.ok(e.why.length > 20, `${e.at} needs a reason`);
      assert.ok(
        e.stores.length > 0 && e.stores.every((s) => s === 'head' || s === 'db'),
        `${e.at}: bad stores`,
      );
    }
  });

  for (const store of ['head', 'db'] as const) {
    it(`upstream files on the ${store === 'head' ? 'bare head' : 'real database'}: only the listed evals fail`, async () => {
      const got = await failures(join(suite, 'upstream'), store);
      const listed = new Set(expected.filter((e) => e.stores.includes(store)).map((e) => e.at));
      const unexpected = [...got].filter(([at]) => !listed.has(at)).map(([at, m]) => `  ${at}: ${m}`);
      const nowPassing = [...listed].filter((at) => !got.has(at)).map((at) => `  ${at}`);
      assert.deepEqual(
        { unexpected, nowPassing },
        { unexpected: [], nowPassing: [] },
        `conformance on the ${store} changed: fix the unexpected failures; remove the now passing evals (for this store) from expected_failures.json`,
      );
    });

    it(`the project's own testdata files pass on the ${store === 'head' ? 'bare head' : 'real database'}`, async () => {
      const got = await failures(ownDir, store);
      assert.deepEqual(
        [...got].map(([at, m]) => `${at}: ${m}`),
        [],
      );
    });
  }
});
