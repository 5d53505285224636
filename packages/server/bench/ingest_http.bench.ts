/**
 * Native ingest over HTTP: the issue-2 workload (10 000 series × 360 samples at 10 s, batches of
 * 10 000 points) POSTed as gzip JSON to a `tinyobs` server running as its own process, two
 * requests in flight (two connections), with RFC 3339 timestamps (what the Go SDK sends) and with
 * numeric millisecond timestamps (what `@tinyobs/sdk` sends). Bodies are encoded before the clock
 * starts so the figures are the server's.
 *
 * The same samples go, in the same run and the same way, to VictoriaMetrics' JSON line import
 * (Debian's `victoria-metrics`, `/api/v1/import`, gzip) as the baseline, when it is installed.
 * Targets alternate within each run so that machine noise hits both alike.
 *
 * For each target: samples/s, server CPU seconds per million samples (user + system time of the
 * server process from /proc, so the client's own work is not counted), request latency p50/p99.
 * Prints one JSON line per run and target, and a summary line with medians and same-run ratios:
 *   node --import tsx --expose-gc packages/server/bench/ingest_http.bench.ts
 * Env: BENCH_RUNS (default 3), BENCH_SAMPLES_PER_SERIES (default 360), BENCH_CONNECTIONS (2).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { labelsToRecord, METRIC_NAME } from '../src/model/labels.js';
import { freePort, waitFor } from '../test/support/ports.js';
import { spawnServer, tempDir } from '../test/support/server.js';
import { findBinary } from '../test/support/system.js';
import { cpuSeconds, quantile } from './measure.js';
import { ingestWorkload } from './workload.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLES_PER_SERIES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 360);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 2);
const BATCH = 10_000;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const vmBinary = findBinary('victoria-metrics');
if (vmBinary === null) process.stderr.write('ingest bench: victoria-metrics not installed: no baseline\n');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const w = ingestWorkload(SAMPLES_PER_SERIES);
const names = w.series.map((s) => s.metric);
const types = w.series.map((s) => s.type);
const labels = w.series.map((s) => {
  const r = labelsToRecord(s.labels);
  delete r[METRIC_NAME];
  return r;
});

type Kind = 'rfc3339' | 'numeric';
const bodies: Record<Kind, Buffer[]> = { rfc3339: [], numeric: [] };
const vmBodies: Buffer[] = [];
let rawBytes = 0;
for (const b of w.batches(BATCH)) {
  const numeric = new Array(b.length);
  const rfc = new Array(b.length);
  const lines = new Array<string>(b.length);
  for (let i = 0; i < b.length; i++) {
    const s = b.series[i]!;
    const t = b.ts[i]!;
    numeric[i] = { name: names[s], type: types[s], value: b.vs[i], labels: labels[s], timestamp: t };
    rfc[i] = { ...numeric[i], timestamp: new Date(t).toISOString() };
    lines[i] = JSON.stringify({
      metric: { __name__: names[s], ...labels[s] },
      values: [b.vs[i]],
      timestamps: [t],
    });
  }
  const json = Buffer.from(JSON.stringify({ metrics: numeric }));
  rawBytes += json.length;
  bodies.numeric.push(gzipSync(json, { level: 1 }));
  bodies.rfc3339.push(gzipSync(JSON.stringify({ metrics: rfc }), { level: 1 }));
  if (vmBinary !== null) vmBodies.push(gzipSync(lines.join('\n'), { level: 1 }));
}

interface Target {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startTinyObs(): Promise<Target> {
  const dir = tempDir('tinyobs-bench-');
  const srv = await spawnServer(['--data-dir', dir]);
  return {
    url: `${srv.url}/v1/ingest`,
    pid: srv.child.pid!,
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
  const child: ChildProcess = spawn(
    binary,
    [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor('VictoriaMetrics', async () => ((await fetch(`${base}/health`)).ok ? true : undefined));
  return {
    url: `${base}/api/v1/import`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs every body, CONNECTIONS requests in flight; returns throughput, CPU and latencies. */
async function push(target: Target, payloads: Buffer[], ok: number) {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < payloads.length) {
      const body = payloads[next++]!;
      const t0 = performance.now();
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body,
      });
      const text = await res.text();
      if (res.status !== ok) throw new Error(`${target.url} answered ${res.status}: ${text.slice(0, 300)}`);
      latencies.push(performance.now() - t0);
    }
  };
  const cpu0 = cpuSeconds(target.pid);
  const begin = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const seconds = (performance.now() - begin) / 1000;
  const cpu = cpuSeconds(target.pid) - cpu0;
  return {
    sps: w.totalSamples / seconds,
    cpuPerM: cpu / (w.totalSamples / 1e6),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

interface Figures {
  sps: number[];
  cpuPerM: number[];
  p50: number[];
  p99: number[];
}
const results = new Map<string, Figures>();
const plan: [string, () => Promise<Target>, Buffer[], number][] = [
  ['tinyobs.rfc3339', startTinyObs, bodies.rfc3339, 200],
  ['tinyobs.numeric', startTinyObs, bodies.numeric, 200],
];
if (vmBinary !== null) plan.push(['victoriametrics', () => startVictoriaMetrics(vmBinary), vmBodies, 204]);

for (let run = 0; run < RUNS; run++) {
  for (const [name, start, payloads, ok] of plan) {
    const target = await start();
    const r = await push(target, payloads, ok);
    await target.stop();
    const f = results.get(name) ?? { sps: [], cpuPerM: [], p50: [], p99: [] };
    f.sps.push(r.sps);
    f.cpuPerM.push(r.cpuPerM);
    f.p50.push(r.p50);
    f.p99.push(r.p99);
    results.set(name, f);
    console.log(
      JSON.stringify({
        bench: 'ingest.http.json',
        target: name,
        run,
        samples_per_sec: Math.round(r.sps),
        cpu_s_per_million: +r.cpuPerM.toFixed(3),
        p50_ms: +r.p50.toFixed(2),
        p99_ms: +r.p99.toFixed(2),
      }),
    );
  }
}

const summary = (f: Figures) => ({
  samples_per_sec: Math.round(median(f.sps)),
  cpu_s_per_million: +median(f.cpuPerM).toFixed(3),
  p50_ms: +median(f.p50).toFixed(2),
  p99_ms: +median(f.p99).toFixed(2),
});
const vm = results.get('victoriametrics');
const ratio = (name: string) => {
  const f = results.get(name)!;
  return vm === undefined
    ? null
    : {
        throughput: +(median(f.sps) / median(vm.sps)).toFixed(2),
        cpu_per_sample: +(median(f.cpuPerM) / median(vm.cpuPerM)).toFixed(2),
      };
};
console.log(
  JSON.stringify({
    bench: 'ingest.http.json',
    summary: 'median of runs',
    runs: RUNS,
    connections: CONNECTIONS,
    series: w.series.length,
    samples: w.totalSamples,
    batch: BATCH,
    body_bytes_per_sample_json: +(rawBytes / w.totalSamples).toFixed(1),
    tinyobs_rfc3339: summary(results.get('tinyobs.rfc3339')!),
    tinyobs_numeric: summary(results.get('tinyobs.numeric')!),
    baseline:
      vm === undefined
        ? null
        : 'victoria-metrics /api/v1/import (gzip JSON lines, same samples, acknowledges before fsync)',
    victoriametrics: vm === undefined ? null : summary(vm),
    ratio_rfc3339_over_baseline: ratio('tinyobs.rfc3339'),
    ratio_numeric_over_baseline: ratio('tinyobs.numeric'),
  }),
);
