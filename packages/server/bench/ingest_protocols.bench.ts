/**
 * Remote write 1.0 and OTLP/HTTP protobuf into a `tinyobs` server process, on the storage workload
 * (10 000 series × 360 samples at 10 s, batches of 10 000 samples, 2 connections). Remote write
 * goes, in the same run and with the same bodies, to Prometheus 2.42's own receiver
 * (`--web.enable-remote-write-receiver`) and to VictoriaMetrics (Debian packages), when installed.
 * Each connection owns half of the series, so no receiver sees a sample out of order.
 * Bodies are encoded and compressed before the clock starts: the figures are the receivers'.
 *
 * Targets take turns within each run, so that machine noise hits them alike. Prints one JSON line
 * per run and target: samples/s, server CPU seconds per million samples (from /proc of the server
 * process), p50/p99 request latency; and a summary with the medians of the runs and the ratios of
 * the medians.
 *   node --import tsx --expose-gc packages/server/bench/ingest_protocols.bench.ts
 * Env: BENCH_SAMPLES_PER_SERIES (default 360), BENCH_RUNS (default 3).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtoWriter } from '../src/ingest/protobuf/writer.js';
import { encodeWriteRequestV1, type WriteSeries } from '../src/ingest/remotewrite/encode.js';
import { compressSnappy } from '../src/ingest/remotewrite/snappy.js';
import { METRIC_NAME } from '../src/model/labels.js';
import { freePort, waitFor } from '../test/support/ports.js';
import { spawnServer, tempDir } from '../test/support/server.js';
import { findBinary } from '../test/support/system.js';
import { cpuSeconds, quantile } from './measure.js';
import { ingestWorkload } from './workload.js';

const SAMPLES_PER_SERIES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 360);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BATCH = 10_000;
const CONNECTIONS = 2;

const w = ingestWorkload(SAMPLES_PER_SERIES);

/** Per connection, its batches in time order: `BATCH` samples of the connection's half of the series. */
function batchesPerConnection<T>(encode: (series: WriteSeries[]) => T): T[][] {
  const out: T[][] = [];
  const per = w.series.length / CONNECTIONS;
  const stepsPerBatch = Math.max(1, Math.floor(BATCH / per));
  for (let c = 0; c < CONNECTIONS; c++) {
    const own = w.series.slice(c * per, (c + 1) * per);
    const ts = own.map((s) => w.timestamps(s.index));
    const vs = own.map((s) => w.values(s.index));
    const list: T[] = [];
    for (let k = 0; k < SAMPLES_PER_SERIES; k += stepsPerBatch) {
      const end = Math.min(SAMPLES_PER_SERIES, k + stepsPerBatch);
      list.push(
        encode(
          own.map((s, i) => ({ labels: s.labels, ts: ts[i]!.subarray(k, end), vs: vs[i]!.subarray(k, end) })),
        ),
      );
    }
    out.push(list);
  }
  return out;
}

const rwBodies = batchesPerConnection((series) => compressSnappy(encodeWriteRequestV1(series)));

/** OTLP: one resource per service, one gauge metric per name, a data point per sample. */
function encodeOtlp(series: WriteSeries[]): Buffer {
  const wr = new ProtoWriter(1 << 20);
  const rm = wr.beginMessage(1);
  const res = wr.beginMessage(1);
  const kv = wr.beginMessage(1);
  wr.string(1, 'service.name');
  const av = wr.beginMessage(2);
  wr.string(1, 'bench');
  wr.endMessage(av);
  wr.endMessage(kv);
  wr.endMessage(res);
  const sm = wr.beginMessage(2);
  const byName = new Map<string, WriteSeries[]>();
  for (const s of series) {
    const name = s.labels.find((l) => l.name === METRIC_NAME)!.value;
    const list = byName.get(name) ?? [];
    byName.set(name, list);
    list.push(s);
  }
  for (const [name, list] of byName) {
    const m = wr.beginMessage(2);
    wr.string(1, name);
    const g = wr.beginMessage(5);
    for (const s of list) {
      for (let i = 0; i < s.ts.length; i++) {
        const dp = wr.beginMessage(1);
        for (const l of s.labels) {
          if (l.name === METRIC_NAME) continue;
          const a = wr.beginMessage(7);
          wr.string(1, l.name);
          const v = wr.beginMessage(2);
          wr.string(1, l.value);
          wr.endMessage(v);
          wr.endMessage(a);
        }
        wr.fixed64NanosFromMillis(3, s.ts[i]!);
        wr.double(4, s.vs[i]!);
        wr.endMessage(dp);
      }
    }
    wr.endMessage(g);
    wr.endMessage(m);
  }
  wr.endMessage(sm);
  wr.endMessage(rm);
  return Buffer.from(wr.finish());
}
const otlpBodies = batchesPerConnection(encodeOtlp);

interface Target {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function startTinyObs(path: string): Promise<Target> {
  const dir = tempDir('tinyobs-bench-');
  const srv = await spawnServer(['--data-dir', dir]);
  return {
    url: `${srv.url}${path}`,
    pid: srv.child.pid!,
    async stop() {
      srv.child.kill('SIGTERM');
      await srv.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startChild(
  name: string,
  args: (dir: string, port: number) => string[],
  ready: string,
  path: string,
  binary: string,
): Promise<Target> {
  const dir = tempDir(`tinyobs-bench-${name}-`);
  const port = await freePort();
  const child: ChildProcess = spawn(binary, args(dir, port), { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    name,
    async () => ((await fetch(`${base}${ready}`).catch(() => null))?.ok ? true : undefined),
    30_000,
  );
  return {
    url: `${base}${path}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function push(target: Target, perConn: Buffer[][], headers: Record<string, string>) {
  const latencies: number[] = [];
  const cpu0 = cpuSeconds(target.pid);
  const begin = performance.now();
  await Promise.all(
    perConn.map(async (bodies) => {
      for (const body of bodies) {
        const t0 = performance.now();
        const res = await fetch(target.url, { method: 'POST', headers, body });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${target.url} answered ${res.status}: ${text.slice(0, 300)}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - begin) / 1000;
  const cpu = cpuSeconds(target.pid) - cpu0;
  return {
    samples_per_sec: Math.round(w.totalSamples / seconds),
    cpu_s_per_million: +(cpu / (w.totalSamples / 1e6)).toFixed(2),
    p50_ms: +quantile(latencies, 0.5).toFixed(2),
    p99_ms: +quantile(latencies, 0.99).toFixed(2),
  };
}

const RW = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};
type Figures = Awaited<ReturnType<typeof push>>;
const results = new Map<string, Figures[]>();
const plan: [string, () => Promise<Target>, Buffer[][], Record<string, string>][] = [
  ['tinyobs.remote_write', () => startTinyObs('/api/v1/write'), rwBodies, RW],
];
const prometheus = findBinary('prometheus');
if (prometheus !== null) {
  plan.push([
    'prometheus-2.42.remote_write',
    () =>
      startChild(
        'prometheus',
        (dir, port) => {
          writeFileSync(join(dir, 'p.yml'), 'global: {}\n');
          return [
            `--config.file=${join(dir, 'p.yml')}`,
            `--storage.tsdb.path=${join(dir, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--web.enable-remote-write-receiver',
            '--log.level=error',
          ];
        },
        '/-/ready',
        '/api/v1/write',
        prometheus,
      ),
    rwBodies,
    RW,
  ]);
} else process.stderr.write('ingest protocols bench: prometheus not installed: no baseline\n');
const vm = findBinary('victoria-metrics');
if (vm !== null) {
  plan.push([
    'victoriametrics.remote_write',
    () =>
      startChild(
        'vm',
        (dir, port) => [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'],
        '/health',
        '/api/v1/write',
        vm,
      ),
    rwBodies,
    RW,
  ]);
} else process.stderr.write('ingest protocols bench: victoria-metrics not installed: no baseline\n');
plan.push([
  'tinyobs.otlp_protobuf',
  () => startTinyObs('/v1/metrics'),
  otlpBodies,
  { 'content-type': 'application/x-protobuf' },
]);

for (let run = 0; run < RUNS; run++) {
  for (const [name, start, bodies, headers] of plan) {
    const target = await start();
    let r: Figures;
    try {
      r = await push(target, bodies, headers);
    } finally {
      await target.stop();
    }
    results.set(name, [...(results.get(name) ?? []), r]);
    console.log(
      JSON.stringify({ bench: 'ingest.protocols', target: name, run, samples: w.totalSamples, ...r }),
    );
  }
}

/** Per figure, the median over the runs of one target. */
function medians(name: string): Figures | undefined {
  const runs = results.get(name);
  if (runs === undefined) return undefined;
  const of = (k: keyof Figures) =>
    quantile(
      runs.map((r) => r[k]),
      0.5,
    );
  return {
    samples_per_sec: Math.round(of('samples_per_sec')),
    cpu_s_per_million: +of('cpu_s_per_million').toFixed(2),
    p50_ms: +of('p50_ms').toFixed(2),
    p99_ms: +of('p99_ms').toFixed(2),
  };
}
const ratio = (a?: { samples_per_sec: number }, b?: { samples_per_sec: number }) =>
  a && b ? +(a.samples_per_sec / b.samples_per_sec).toFixed(2) : null;
const summary = Object.fromEntries(plan.map(([name]) => [name, medians(name)]));
console.log(
  JSON.stringify({
    bench: 'ingest.protocols',
    summary: 'median of runs',
    runs: RUNS,
    series: w.series.length,
    samples: w.totalSamples,
    batch: BATCH,
    connections: CONNECTIONS,
    ...summary,
    remote_write_over_prometheus: ratio(
      summary['tinyobs.remote_write'],
      summary['prometheus-2.42.remote_write'],
    ),
    remote_write_over_victoriametrics: ratio(
      summary['tinyobs.remote_write'],
      summary['victoriametrics.remote_write'],
    ),
  }),
);
