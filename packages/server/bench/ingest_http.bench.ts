/**
 * Native ingest over HTTP: the issue-2 workload (10 000 series × 360 samples at 10 s, batches of
 * 10 000) POSTed to a `tinyobs` server running as its own process, one request in flight, as the
 * SDK does. Bodies are encoded before the clock starts so the figure is the server's.
 *
 * The same samples go, in the same run, to VictoriaMetrics' JSON line import (Debian's
 * `victoria-metrics`) as a baseline, when it is installed.
 *
 * Prints one JSON line per run and target, and a summary line with medians and the ratio:
 *   node --import tsx --expose-gc packages/server/bench/ingest_http.bench.ts
 * Env: BENCH_RUNS (default 3), BENCH_SAMPLES_PER_SERIES (default 360).
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { labelsToRecord, METRIC_NAME } from '../src/model/labels.js';
import { freePort, waitFor } from '../test/support/ports.js';
import { spawnServer, tempDir } from '../test/support/server.js';
import { findBinary } from '../test/support/system.js';
import { generateWorkload } from './workload.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLES_PER_SERIES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 360);
const BATCH = 10_000;
const vmBinary = findBinary('victoria-metrics');
if (vmBinary === null) process.stderr.write('ingest bench: victoria-metrics not installed: no baseline\n');

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
const vmBodies: Buffer[] = [];
let rawBytes = 0;
for (const b of w.batches(BATCH)) {
  const metrics = new Array(b.length);
  const lines = new Array<string>(b.length);
  for (let i = 0; i < b.length; i++) {
    const s = b.series[i]!;
    metrics[i] = { name: names[s], type: types[s], value: b.vs[i], labels: labels[s], timestamp: b.ts[i] };
    lines[i] = JSON.stringify({
      metric: { __name__: names[s], ...labels[s] },
      values: [b.vs[i]],
      timestamps: [b.ts[i]],
    });
  }
  const json = Buffer.from(JSON.stringify({ metrics }));
  rawBytes += json.length;
  bodies.push(gzipSync(json, { level: 1 }));
  if (vmBinary !== null) vmBodies.push(gzipSync(lines.join('\n'), { level: 1 }));
}

interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

async function startTinyObs(): Promise<Target> {
  const dir = tempDir('tinyobs-bench-');
  const srv = await spawnServer(['--data-dir', dir]);
  return {
    url: `${srv.url}/v1/ingest`,
    async stop() {
      srv.child.kill('SIGTERM');
      await srv.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** VictoriaMetrics' JSON line import, the nearest push-JSON endpoint of an established TSDB. */
async function startVictoriaMetrics(binary: string): Promise<Target> {
  const dir = tempDir('tinyobs-bench-vm-');
  const port = await freePort();
  const child = spawn(
    binary,
    [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'],
    {
      stdio: 'ignore',
    },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor('VictoriaMetrics', async () => ((await fetch(`${base}/health`)).ok ? true : undefined));
  return {
    url: `${base}/api/v1/import`,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs every body in order, one in flight; returns samples/s and latency quantiles. */
async function push(target: Target, payloads: Buffer[], ok: number) {
  const latencies: number[] = [];
  const begin = performance.now();
  for (const body of payloads) {
    const t0 = performance.now();
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== ok) throw new Error(`${target.url} answered ${res.status}`);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - begin) / 1000;
  return { sps: w.totalSamples / seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

const results: Record<string, { sps: number[]; p50: number[]; p99: number[] }> = {
  tinyobs: { sps: [], p50: [], p99: [] },
  victoriametrics: { sps: [], p50: [], p99: [] },
};
for (let run = 0; run < RUNS; run++) {
  const runs: [string, () => Promise<Target>, Buffer[], number][] = [['tinyobs', startTinyObs, bodies, 200]];
  if (vmBinary !== null) runs.push(['victoriametrics', () => startVictoriaMetrics(vmBinary), vmBodies, 204]);
  for (const [name, start, payloads, ok] of runs) {
    const target = await start();
    const r = await push(target, payloads, ok);
    await target.stop();
    results[name]!.sps.push(r.sps);
    results[name]!.p50.push(r.p50);
    results[name]!.p99.push(r.p99);
    console.log(
      JSON.stringify({
        bench: 'ingest.http.json',
        target: name,
        run,
        samples_per_sec: Math.round(r.sps),
        p50_ms: +r.p50.toFixed(2),
        p99_ms: +r.p99.toFixed(2),
      }),
    );
  }
}
const tiny = results.tinyobs!;
const vm = results.victoriametrics!;
console.log(
  JSON.stringify({
    bench: 'ingest.http.json',
    summary: 'median of runs',
    runs: RUNS,
    series: w.series.length,
    samples: w.totalSamples,
    batch: BATCH,
    body_bytes_per_sample_json: +(rawBytes / w.totalSamples).toFixed(1),
    samples_per_sec: Math.round(median(tiny.sps)),
    p50_ms: +median(tiny.p50).toFixed(2),
    p99_ms: +median(tiny.p99).toFixed(2),
    baseline:
      vmBinary === null
        ? null
        : 'victoria-metrics /api/v1/import (JSON lines, same samples, acknowledges before fsync)',
    baseline_samples_per_sec: vm.sps.length ? Math.round(median(vm.sps)) : null,
    ratio_tinyobs_over_baseline: vm.sps.length ? +(median(tiny.sps) / median(vm.sps)).toFixed(2) : null,
  }),
);
