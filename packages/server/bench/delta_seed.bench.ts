/**
 * What rebuilding running totals from the database costs (ingest/series/stored.ts): the first
 * delta of a series after a start looks up its newest stored sample; later ones are in memory.
 * On a database holding `--series` series × 30 samples at 10 s, prints one JSON line per case with
 * the median (of `--runs`) microseconds per series, and the same-run ratio to the in-memory path:
 * `stored` (the series is in the database: the restart case), `new` (never stored: what a brand
 * new delta series pays once), `memory` (the steady state).
 *
 *   node --import tsx --expose-gc packages/server/bench/delta_seed.bench.ts [--runs 5] [--series 10000]
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeltaState } from '../src/ingest/series/delta.js';
import { lastStoredIn } from '../src/ingest/series/stored.js';
import { type Labels, labelsFromPairs } from '../src/model/labels.js';
import { DB } from '../src/tsdb/db.js';
import { quantile } from './measure.js';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, series: { type: 'string', default: '10000' } },
});
const RUNS = Number(args.runs);
const N = Number(args.series);

const series = (name: string): Labels[] =>
  Array.from({ length: N }, (_, i) =>
    labelsFromPairs([
      { name: '__name__', value: name },
      { name: 'i', value: String(i) },
      { name: 'job', value: 'bench' },
    ]),
  );

const dir = mkdtempSync(join(tmpdir(), 'tinyobs-delta-seed-'));
const db = await DB.open({ dir, warn: () => {} });
try {
  const now = Date.now();
  const stored = series('stored_total');
  const app = db.appender();
  for (const l of stored) for (let k = 0; k < 30; k++) app.append(0, l, now - 300_000 + k * 10_000, k);
  await app.commit();
  const results: Record<'stored' | 'new' | 'memory', number[]> = { stored: [], new: [], memory: [] };
  for (let run = 0; run < RUNS; run++) {
    const state = new DeltaState({ seed: lastStoredIn(db) });
    const time = (ls: Labels[], t: number): number => {
      const t0 = performance.now();
      for (const l of ls) state.add(l, t, 1);
      return ((performance.now() - t0) * 1000) / ls.length;
    };
    results.stored.push(time(stored, now + 1 + run));
    results.new.push(time(series(`new_${run}_total`), now + 1));
    results.memory.push(time(stored, now + 100 + run));
  }
  const memory = quantile(results.memory, 0.5);
  for (const [name, xs] of Object.entries(results)) {
    const median = quantile(xs, 0.5);
    console.log(
      JSON.stringify({
        bench: 'delta_seed',
        case: name,
        series: N,
        runs: RUNS,
        us_per_series: Number(median.toFixed(2)),
        vs_memory: Number((median / memory).toFixed(1)),
      }),
    );
  }
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
