/**
 * The full-size long run: `days` (default 3) of `series` (default 10 000) series at `interval`
 * seconds (default 300) through the real `tinyobs serve` (build it first: `npx tsc -b
 * packages/server`), with persistence, downsampling and retention running while it ingests,
 * checked against a model. Prints JSON lines; exits 1 on any problem.
 *
 * Usage: node --import tsx packages/server/scripts/long-run.ts [series] [days] [interval s]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { longRun } from '../test/tsdb/long_run.js';

const [series = 10_000, days = 3, interval = 300] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'tinyobs-longrun-'));
try {
  const r = await longRun({
    dataDir: join(dir, 'data'),
    series,
    days,
    intervalMs: interval * 1000,
    log: (l) => console.log(JSON.stringify(l)),
  });
  console.log(JSON.stringify({ ...r, problems: r.problems.slice(0, 20), problemCount: r.problems.length }));
  process.exitCode = r.problems.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
