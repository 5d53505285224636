/**
 * Storage engine benchmark on the issue-3 workload (10 000 series × 360 samples at 10 s, appended
 * in time order in batches of 10 000). Prints one JSON line per result, medians over runs:
 *
 * - append_samples_per_s: in-process appends + commits (WAL written, fsync policy `interval`);
 * - bytes_per_sample: whole data directory / samples, after persistence and close;
 * - rss_bytes_per_series, heap_bytes_per_series: memory growth after the workload, persisted,
 *   in a fresh process per run (heap: live JS objects plus typed-array backing stores, after a GC),
 *   divided by N: fixed costs (SQLite, V8's reserved heap) included;
 * - rss_marginal_bytes_per_series, heap_marginal_bytes_per_series: the slope between the workload
 *   with N and 5N series, i.e. what one more series costs. Each series' labels are handed to the
 *   database as a fresh copy parsed from JSON, as the ingest path does, so the head pays for the
 *   labels it keeps (the workload's own label objects are part of the baseline);
 * - persist_ms: one persistence of the whole workload (the event loop waits for it);
 * - restart_ms: DB.open with the whole workload only in the write-ahead log;
 * - select_one_series_1h_ms, select_1000_series_regex_ms: select + iterate every sample;
 * - bytes_per_sample_steady: 3 h of the workload persisted every 10 min / 1 h of data;
 * - append_ooo_samples_per_s: the workload's batches appended newest first, so that every sample
 *   after the first batch is out of order (late data within raw retention);
 * - persist_max_stall_ms: the longest event-loop stall during a background persistence of the
 *   workload (`db.maintain()`, in slices), measured by a 1 ms timer;
 * - bytes_per_sample_full_precision: 2 000 series × 360 samples at 10 s of full-precision values
 *   as clients compute them (latency sums in seconds, request and byte counters, hit ratios as
 *   quotients, an EWMA gauge; jittered timestamps; see `full_precision.ts`), next to the Gorilla
 *   paper's 1.37; bytes_per_sample_random_values: the same timestamps with uniform random doubles
 *   (the worst case, not a workload).
 *
 *   node --import tsx --expose-gc packages/server/bench/tsdb.bench.ts [--runs 3] [--series 10000]
 *     [--memory-only]
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { labelsFromRecord } from '../src/model/labels.js';
import { newMatcher } from '../src/model/matcher.js';
import { DB } from '../src/tsdb/db.js';
import { fullPrecisionSeries, randomValues } from './full_precision.js';
import { generateWorkload } from './workload.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    series: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '360' },
    memory: { type: 'boolean', default: false },
    'memory-only': { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
const w = generateWorkload({ series: Number(args.series), samplesPerSeries: Number(args.samples), seed: 1 });
const S = w.series.length;
const total = w.totalSamples;
const common = { bench: 'tsdb', series: S, samplesPerSeries: w.samplesPerSeries, batch: 10_000 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const line = (result: string, value: number, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ ...common, result, value, ...extra }));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

// The batches are generated once, before any timing: generating values is not appending.
const batches: { series: Uint32Array; ts: Float64Array; vs: Float64Array; length: number }[] = [];
// The memory child streams its batches instead: 5N series would hold GBs of batches.
for (const b of args.memory ? [] : w.batches(10_000)) {
  batches.push({
    series: b.series.slice(0, b.length),
    ts: b.ts.slice(0, b.length),
    vs: b.vs.slice(0, b.length),
    length: b.length,
  });
}

/** Appends the whole workload (newest batch first with `reversed`); returns samples per second. */
async function appendAll(db: DB, reversed = false): Promise<number> {
  const refs = new Float64Array(S);
  const start = performance.now();
  for (const b of reversed ? [...batches].reverse() : batches) {
    const app = db.appender();
    for (let i = 0; i < b.length; i++) {
      const si = b.series[i]!;
      refs[si] = app.append(refs[si]!, w.series[si]!.labels, b.ts[i]!, b.vs[i]!);
    }
    await app.commit();
  }
  return total / ((performance.now() - start) / 1000);
}

function timeSelect(db: DB, mint: number, maxt: number, ms: ReturnType<typeof newMatcher>[], reps: number) {
  const times: number[] = [];
  let n = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const q = db.querier(mint, maxt);
    const set = q.select(ms);
    n = 0;
    while (set.next()) {
      const it = set.at().iterator();
      while (it.next()) n++;
    }
    q.close();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), samples: n };
}

/**
 * Memory is measured in a fresh process per run (`--memory`): in a process that already ran the
 * workload, freed memory stays in the heap and the allocator, and the next baseline is meaningless.
 */
async function memoryChild(): Promise<void> {
  gc();
  const m0 = process.memoryUsage();
  const dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  const db = await DB.open({ dir, persistIntervalMs: 0 });
  const refs = new Float64Array(S);
  for (const b of w.batches(10_000)) {
    const app = db.appender();
    for (let i = 0; i < b.length; i++) {
      const si = b.series[i]!;
      const r = refs[si]!;
      // A series' first sample brings labels parsed from JSON, as a push request's would.
      const ls = r === 0 ? labelsFromRecord(JSON.parse(JSON.stringify(recordOf(si)))) : w.series[si]!.labels;
      refs[si] = app.append(r, ls, b.ts[i]!, b.vs[i]!);
    }
    await app.commit();
  }
  // Persisted and settled: at 5N series the log outgrows `walMaxBytes` during the appends, which
  // schedules a background persistence; measured while that one runs, the figure would include
  // its copy of every open chunk (until 2026-12 it did: 2.4 KiB a series instead of 1.4). Let it
  // start, then join it (or run one).
  await new Promise((r) => setImmediate(r));
  await db.maintain();
  // Typed-array backing stores are freed by a sweeper after the GC: give it a few turns.
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  // Live JS objects plus typed-array backing stores (open chunks live in the latter).
  const heap = m.heapUsed + m.arrayBuffers - m0.heapUsed - m0.arrayBuffers;
  console.log(JSON.stringify({ rss: m.rss - m0.rss, heap }));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
function recordOf(si: number): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const l of w.series[si]!.labels) rec[l.name] = l.value;
  return rec;
}
if (args.memory) {
  await memoryChild();
  process.exit(0);
}

/** Runs the memory measurement for `series` series in a fresh process; totals in bytes. */
function measureMemory(series: number): { rss: number; heap: number } {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--expose-gc',
      fileURLToPath(import.meta.url),
      '--memory',
      '--series',
      String(series),
      '--samples',
      String(w.samplesPerSeries),
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as { rss: number; heap: number };
}

const appendRates: number[] = [];
const bytesPerSample: number[] = [];
const rssPer: number[] = [];
const rssMarginal: number[] = [];
const heapPer: number[] = [];
const heapMarginal: number[] = [];
const restartMs: number[] = [];
const oooRates: number[] = [];
const stalls: number[] = [];
const persistMs: number[] = [];
const sel1: number[] = [];
const sel1000: number[] = [];
let sel1Samples = 0;
let sel1000Samples = 0;
const maxt = w.startMs + w.samplesPerSeries * w.stepMs + w.stepMs;
const one = w.series[0]!.labels.map((l) => newMatcher('=', l.name, l.value));
const regex = [newMatcher('=~', '__name__', 'http_requests_total|nomatch')];

for (let run = 0; run < RUNS; run++) {
  // Append, persist, measure memory and size; then select over persisted data.
  const mem = measureMemory(S);
  const mem5 = measureMemory(5 * S);
  rssPer.push(mem.rss / S);
  heapPer.push(mem.heap / S);
  // The slope between S and 5S series: what one more series costs, without the fixed costs
  // (SQLite, V8's reserved heap, code) that the per-series figure above spreads over S. A wide
  // span (4S series) keeps the garbage collector's timing from dominating the difference.
  rssMarginal.push((mem5.rss - mem.rss) / (4 * S));
  heapMarginal.push((mem5.heap - mem.heap) / (4 * S));
  if (args['memory-only']) continue;
  // Append, persist; select over persisted data; size on disk after close.
  let dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  let db = await DB.open({ dir, persistIntervalMs: 0 });
  appendRates.push(await appendAll(db));
  persistMs.push(db.persist().ms);
  const s1 = timeSelect(db, maxt - 3_600_000, maxt, one, 50);
  const s2 = timeSelect(db, w.startMs, maxt, regex, 5);
  sel1.push(s1.ms);
  sel1000.push(s2.ms);
  sel1Samples = s1.samples;
  sel1000Samples = s2.samples;
  await db.close();
  bytesPerSample.push(dirBytes(dir) / total);
  rmSync(dir, { recursive: true, force: true });

  // Restart with everything only in the log: abandon the first handle (as a kill would).
  dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  db = await DB.open({ dir, persistIntervalMs: 0 });
  await appendAll(db);
  const t0 = performance.now();
  const db2 = await DB.open({ dir, persistIntervalMs: 0 });
  restartMs.push(performance.now() - t0);
  if (db2.stats().samples.inHead !== total) throw new Error('restart lost samples');
  await db2.close();
  rmSync(dir, { recursive: true, force: true });

  // Out of order: newest batch first.
  dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  db = await DB.open({ dir, persistIntervalMs: 0 });
  oooRates.push(await appendAll(db, true));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  // A background persistence of the whole workload, watching the event loop.
  dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  db = await DB.open({ dir, persistIntervalMs: 0 });
  await appendAll(db);
  stalls.push(await longestStall(() => db.maintain()));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  gc();
}

const runs = (xs: number[], d = 0) => ({ runs: xs.map((x) => round(x, d)) });
line('rss_bytes_per_series', round(median(rssPer)), { target: 2048, ...runs(rssPer) });
line('rss_marginal_bytes_per_series', round(median(rssMarginal)), { target: 2048, ...runs(rssMarginal) });
line('heap_bytes_per_series', round(median(heapPer)), { ...runs(heapPer) });
line('heap_marginal_bytes_per_series', round(median(heapMarginal)), { target: 2048, ...runs(heapMarginal) });
if (args['memory-only']) process.exit(0);
line('append_samples_per_s', round(median(appendRates)), { target: 1_000_000, ...runs(appendRates) });
line('bytes_per_sample', round(median(bytesPerSample), 3), { target: 1.5, ...runs(bytesPerSample, 3) });
line('persist_ms', round(median(persistMs)), { samples: total, ...runs(persistMs) });
line('append_ooo_samples_per_s', round(median(oooRates)), { target: 1_000_000, ...runs(oooRates) });
line('persist_max_stall_ms', round(median(stalls), 1), { target: 50, samples: total, ...runs(stalls, 1) });
line('bytes_per_sample_full_precision', round(await fullPrecisionBytes(false), 3), { gorilla: 1.37 });
line('bytes_per_sample_random_values', round(await fullPrecisionBytes(true), 3), { worstCase: true });
line('restart_ms', round(median(restartMs)), { target: 5000, samplesInWal: total, ...runs(restartMs) });
line('select_one_series_1h_ms', round(median(sel1), 3), { samples: sel1Samples, ...runs(sel1, 3) });
line('select_1000_series_regex_ms', round(median(sel1000), 2), {
  samples: sel1000Samples,
  ...runs(sel1000, 2),
});

/**
 * Bytes per sample in steady state: 3 hours of the workload persisted every `minutes` of data,
 * as the persistence timer would (each persistence writes one row per series holding the chunks
 * it cut since the previous one). Deterministic, so one run.
 */
async function steadyBytes(minutes: number): Promise<number> {
  const w3 = generateWorkload({ series: S, samplesPerSeries: 1080, seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  const db = await DB.open({ dir, persistIntervalMs: 0, downsample: false });
  const refs = new Float64Array(S);
  const every = (minutes * 60_000) / w3.stepMs;
  let step = 0;
  for (const b of w3.batches(S)) {
    const app = db.appender();
    for (let i = 0; i < b.length; i++) {
      const si = b.series[i]!;
      refs[si] = app.append(refs[si]!, w3.series[si]!.labels, b.ts[i]!, b.vs[i]!);
    }
    await app.commit();
    if (++step % every === 0) db.persist();
  }
  await db.close();
  const bytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return bytes / w3.totalSamples;
}
for (const minutes of [10, 60]) {
  line('bytes_per_sample_steady', round(await steadyBytes(minutes), 3), {
    target: 1.5,
    samplesPerSeries: 1080,
    persistEveryMinutes: minutes,
  });
}

/** The longest gap between ticks of a 1 ms timer while `work` runs, in ms. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await work();
  clearInterval(timer);
  return Math.max(worst, performance.now() - last);
}

/**
 * Bytes per sample (whole data directory after persistence and close) of 2 000 series × 360
 * samples of `full_precision.ts`: its realistic full-precision workload, or the random-value
 * worst case.
 */
async function fullPrecisionBytes(random: boolean): Promise<number> {
  const series = 2000;
  const samples = 360;
  const dir = mkdtempSync(join(tmpdir(), 'tsdb-bench-'));
  const db = await DB.open({ dir, persistIntervalMs: 0, downsample: false });
  const start = Date.now() - (samples + 1) * 10_000;
  const data = Array.from({ length: series }, (_, i) => {
    const s = fullPrecisionSeries(7, i, samples, start);
    return random ? randomValues(i + 1, s) : s;
  });
  const labels = data.map((s, i) => labelsFromRecord({ __name__: s.metric, i: String(i) }));
  const refs = new Float64Array(series);
  for (let k = 0; k < samples; k++) {
    const app = db.appender();
    for (let i = 0; i < series; i++)
      refs[i] = app.append(refs[i]!, labels[i]!, data[i]!.ts[k]!, data[i]!.vs[k]!);
    await app.commit();
  }
  await db.close();
  const bytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return bytes / (series * samples);
}
