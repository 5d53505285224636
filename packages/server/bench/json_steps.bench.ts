/**
 * The two steps of native JSON ingest on the event loop, in process: the scan of a body into a
 * batch (ingest/json/scan.ts, with its series cache) and the commit of that batch into a database
 * (ingest/commit.ts), in CPU microseconds per sample, on the benchmark workload (10 000 series,
 * batches of 10 000 points with RFC 3339 timestamps, bodies already decompressed). No HTTP, no
 * client: what a change to either step does, with less of the machine's noise than
 * ingest_http.bench.ts.
 *
 * With BENCH_BASELINE=<another checkout's packages/server/src>, the same runs alternate between
 * that tree and this one in the same process (each its own modules and database), and the summary
 * gives the ratios: the way to compare two versions on a noisy machine.
 *   node --import tsx --expose-gc packages/server/bench/json_steps.bench.ts
 * Env: BENCH_RUNS (default 5; the first run of each tree is warm-up and not counted),
 * BENCH_SAMPLES_PER_SERIES (default 120), BENCH_BASELINE.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelsToRecord, METRIC_NAME } from '../src/model/labels.js';
import { ingestWorkload } from './workload.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SAMPLES_PER_SERIES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 120);
const BASELINE = process.env.BENCH_BASELINE;

/** The parts of one source tree this benchmark drives. */
interface Tree {
  readonly name: string;
  readonly DB: typeof import('../src/tsdb/db.js').DB;
  readonly scanJsonIngest: typeof import('../src/ingest/json/scan.js').scanJsonIngest;
  readonly SeriesCache: typeof import('../src/ingest/json/series_cache.js').SeriesCache;
  readonly commitBatch: typeof import('../src/ingest/commit.js').commitBatch;
  readonly limits: typeof import('../src/ingest/limits.js').DEFAULT_INGEST_LIMITS;
}

async function load(name: string, src: string): Promise<Tree> {
  return {
    name,
    DB: (await import(`${src}/tsdb/db.ts`)).DB,
    scanJsonIngest: (await import(`${src}/ingest/json/scan.ts`)).scanJsonIngest,
    SeriesCache: (await import(`${src}/ingest/json/series_cache.ts`)).SeriesCache,
    commitBatch: (await import(`${src}/ingest/commit.ts`)).commitBatch,
    limits: (await import(`${src}/ingest/limits.ts`)).DEFAULT_INGEST_LIMITS,
  };
}

const w = ingestWorkload(SAMPLES_PER_SERIES);
const bodies: Buffer[] = [];
{
  const labels = w.series.map((s) => {
    const r = labelsToRecord(s.labels);
    delete r[METRIC_NAME];
    return r;
  });
  for (const b of w.batches(10_000)) {
    const points = new Array(b.length);
    for (let i = 0; i < b.length; i++) {
      const s = w.series[b.series[i]!]!;
      const t = new Date(b.ts[i]!).toISOString();
      points[i] = {
        name: s.metric,
        type: s.type,
        value: b.vs[i],
        labels: labels[b.series[i]!],
        timestamp: t,
      };
    }
    bodies.push(Buffer.from(JSON.stringify({ metrics: points })));
  }
}

function cpu(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

/** One run: every body scanned and committed into a new database; µs of CPU per sample. */
async function run(tree: Tree): Promise<{ scan: number; commit: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyobs-bench-steps-'));
  const db = await tree.DB.open({ dir, walFsync: 'never', persistIntervalMs: 3_600_000 });
  const cache = new tree.SeriesCache();
  const ctx = { appendable: db, limits: tree.limits, report: () => {} };
  let scan = 0;
  let commit = 0;
  for (const body of bodies) {
    const c0 = cpu();
    const scanned = tree.scanJsonIngest(body, tree.limits, Date.now(), cache);
    if (scanned === null) throw new Error('json_steps: a body left the fast path');
    const c1 = cpu();
    await tree.commitBatch(scanned.batch, ctx, 'json');
    scanned.rememberRefs();
    // As the server does between requests: timers and I/O get their turn.
    await new Promise((resolve) => setImmediate(resolve));
    commit += cpu() - c1;
    scan += c1 - c0;
  }
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  const perSample = 1e6 / w.totalSamples;
  return { scan: scan * perSample, commit: commit * perSample };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const trees = [await load('this', new URL('../src', import.meta.url).pathname)];
if (BASELINE !== undefined) trees.unshift(await load('baseline', BASELINE));
const results = new Map(trees.map((t) => [t.name, [] as { scan: number; commit: number }[]]));
for (let r = 0; r < RUNS; r++) {
  // Alternated, and in turn first, so that drift in the machine's speed hits both alike.
  const order = r % 2 === 0 ? trees : [...trees].reverse();
  for (const tree of order) {
    const res = await run(tree);
    const out = {
      bench: 'json.steps',
      tree: tree.name,
      run: r,
      scan_us_per_sample: Number(res.scan.toFixed(3)),
      commit_us_per_sample: Number(res.commit.toFixed(3)),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    if (r > 0) results.get(tree.name)!.push(res);
  }
}
const summary: Record<string, unknown> = {
  bench: 'json.steps',
  summary: 'median of runs after the first',
  series: w.series.length,
  samples: w.totalSamples,
};
for (const [name, rs] of results) {
  summary[name] = {
    scan_us_per_sample: Number(median(rs.map((x) => x.scan)).toFixed(3)),
    commit_us_per_sample: Number(median(rs.map((x) => x.commit)).toFixed(3)),
  };
}
if (BASELINE !== undefined) {
  const ratio = (k: 'scan' | 'commit') =>
    Number(
      (
        median(results.get('this')!.map((x) => x[k])) / median(results.get('baseline')!.map((x) => x[k]))
      ).toFixed(2),
    );
  summary.ratio_this_over_baseline = { scan: ratio('scan'), commit: ratio('commit') };
}
process.stdout.write(`${JSON.stringify(summary)}\n`);
