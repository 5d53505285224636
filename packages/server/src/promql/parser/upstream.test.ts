// Every expression of the upstream conformance files (../shared/promql-tests/upstream/*.test) must
// parse, because upstream's harness parses them all before running anything (FORMAT.md §1.1), and
// print to text that parses back to the same text. The count is a ratchet: raise BASELINE as the
// parser improves, never lower it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseExpr } from './parse.js';
import { formatExpr } from './printer.js';

const UPSTREAM = fileURLToPath(new URL('../../../../../../shared/promql-tests/upstream/', import.meta.url));
const BASELINE = 1864;

interface Eval {
  readonly file: string;
  readonly line: number;
  readonly expr: string;
}

/** The expression of every `eval` header: the text after `instant at T` or `range from A to B step S`. */
function collectEvals(): Eval[] {
  const evals: Eval[] = [];
  for (const file of readdirSync(UPSTREAM).filter((f) => f.endsWith('.test'))) {
    readFileSync(UPSTREAM + file, 'utf8')
      .split('\n')
      .forEach((raw, i) => {
        const m = /^eval\S*\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$/.exec(
          raw.trim(),
        );
        if (m?.[1]) evals.push({ file, line: i + 1, expr: m[1] });
      });
  }
  return evals;
}

test('every eval expression of the upstream PromQL test files parses and round-trips', () => {
  assert.ok(
    existsSync(UPSTREAM),
    `missing ${UPSTREAM}: the upstream PromQL test files live in ../shared/promql-tests`,
  );
  const evals = collectEvals();
  const failures: string[] = [];
  let parsed = 0;
  for (const ev of evals) {
    try {
      const printed = formatExpr(parseExpr(ev.expr));
      assert.equal(formatExpr(parseExpr(printed)), printed, `round trip of ${printed}`);
      parsed++;
    } catch (err) {
      failures.push(`${ev.file}:${ev.line}: ${ev.expr}\n    ${(err as Error).message}`);
    }
  }
  console.log(`upstream eval expressions: ${parsed}/${evals.length} parse and round-trip`);
  if (failures.length > 0) console.log(`not parsed:\n${failures.join('\n')}`);
  assert.ok(
    parsed >= BASELINE,
    `only ${parsed} of ${evals.length} upstream expressions parse (baseline ${BASELINE}):\n${failures.join('\n')}`,
  );
});
