/**
 * Native ingest over HTTP: the issue-2 workload (10 000 series × 360 samples at 10 s, batches of
 * 10 000) POSTed to a `tinyobs` server running as its own process, one request in flight, as the
 * SDK does. Bodies are encoded before the clock starts so the figure is the server's.
 *
 * Prints one JSON line per run and a summary line with medians:
 *   node --import tsx --expose-gc packages/server/bench/ingest_http.bench.ts
 * Env: BENCH_RUNS (default 3), BENCH_SAMPLES_PER_SERIES (default 360).
 */

import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { labelsToRecord, METRIC_NAME } from '../src/model/labels.js';
import { spawnServer, tempDir } from '../test/support/server.js';
import { generateWorkload } from './workload.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLES_PER_SERIES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 360);
const BATCH = 10_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const w = generateWorkload({
  series: 10_000,
  samplesPerSeries: SAMPLES_PER_SERIES,
  stepMs: 10_000,
  startMs: Date.now() - SAMPLES_PER_SERIES * 10_000,
  seed: 1,
});
const names = w.series.map((s) => s.metric);
const types = w.series.map((s) => s.type);
const labels = w.series.map((s) => {
  const r = labelsToRecord(s.labels);
  delete r[METRIC_NAME];
  return r;
});

const bodies: Buffer[] = [];
let rawBytes = 0;
for (const b of w.batches(BATCH)) {
  const metrics = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const s = b.series[i]!;
    metrics[i] = { name: names[s], type: types[s], value: b.vs[i], labels: labels[s], timestamp: b.ts[i] };
  }
  const json = Buffer.from(JSON.stringify({ metrics }));
  rawBytes += json.length;
  bodies.push(gzipSync(json, { level: 1 }));
}

const throughputs: number[] = [];
const p50s: number[] = [];
const p99s: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const dir = tempDir('tinyobs-bench-');
  const srv = await spawnServer(['--data-dir', dir]);
  const latencies: number[] = [];
  const begin = performance.now();
  for (const body of bodies) {
    const t0 = performance.now();
    const res = await fetch(`${srv.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - begin) / 1000;
  srv.child.kill('SIGTERM');
  await srv.exited;
  rmSync(dir, { recursive: true, force: true });
  const sps = w.totalSamples / seconds;
  throughputs.push(sps);
  p50s.push(quantile(latencies, 0.5));
  p99s.push(quantile(latencies, 0.99));
  console.log(
    JSON.stringify({
      bench: 'ingest.http.json',
      run,
      samples: w.totalSamples,
      samples_per_sec: Math.round(sps),
      p50_ms: +quantile(latencies, 0.5).toFixed(2),
      p99_ms: +quantile(latencies, 0.99).toFixed(2),
    }),
  );
}
console.log(
  JSON.stringify({
    bench: 'ingest.http.json',
    summary: 'median of runs',
    runs: RUNS,
    series: w.series.length,
    samples: w.totalSamples,
    batch: BATCH,
    body_bytes_per_sample_json: +(rawBytes / w.totalSamples).toFixed(1),
    samples_per_sec: Math.round(median(throughputs)),
    p50_ms: +median(p50s).toFixed(2),
    p99_ms: +median(p99s).toFixed(2),
  }),
);
