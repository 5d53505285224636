/**
 * Beyond one machine: remote-write forwarding to VictoriaMetrics (Debian's `victoria-metrics`)
 * and export/import, on the ingest benchmark's workload (workload.ts: 10 000 series at 10 s,
 * batches of 10 000, gzipped native JSON, one request in flight). Per run, in the same run:
 *
 * - `tinyobs` alone: ingest samples/s and the process' CPU seconds;
 * - `tinyobs --remote-write-url <vm>`: ingest samples/s while forwarding, the time until every
 *   sample is acknowledged by VictoriaMetrics (forwarding samples/s), and the extra CPU per
 *   million samples (CPU of this process minus the one above: the forwarder's cost);
 * - `GET /v1/export?format=jsonl` of everything from the first server and `POST /v1/import` of
 *   that into a fresh one: samples/s each.
 *
 * Prints one JSON line per run and a summary with medians and same-run ratios (target of the
 * issue: ingest with forwarding ≥ 0.8 × without). Skips, saying so, without victoria-metrics.
 *   node --import tsx --expose-gc packages/server/bench/remote_write.bench.ts
 * Env: BENCH_RUNS (default 3), BENCH_SAMPLES_PER_SERIES (default 60).
 */

import { readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { labelsToRecord, METRIC_NAME } from '../src/model/labels.js';
import { startVm } from '../test/remote/victoria.js';
import { freePort, waitFor } from '../test/support/ports.js';
import { type ChildServer, spawnServer, tempDir } from '../test/support/server.js';
import { findBinary } from '../test/support/system.js';
import { cpuSeconds } from './measure.js';
import { ingestWorkload } from './workload.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SAMPLES_PER_SERIES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 60);
const vmBinary = findBinary('victoria-metrics');
if (vmBinary === null) {
  process.stderr.write('remote write bench: victoria-metrics not installed: skipped\n');
  console.log(JSON.stringify({ bench: 'remote_write', skipped: 'victoria-metrics not installed' }));
  process.exit(0);
}

/**
 * CPU seconds of a process' main thread (its thread id is the pid): ingest runs there, so what
 * the forwarder adds to it is what lowers ingest throughput on a busy machine.
 */
function mainThreadCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const w = ingestWorkload(SAMPLES_PER_SERIES);
const bodies: Buffer[] = [];
for (const b of w.batches(10_000)) {
  const metrics = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const s = w.series[b.series[i]!]!;
    const labels = labelsToRecord(s.labels);
    delete labels[METRIC_NAME];
    metrics[i] = { name: s.metric, type: s.type, value: b.vs[i], labels, timestamp: b.ts[i] };
  }
  bodies.push(gzipSync(JSON.stringify({ metrics }), { level: 1 }));
}

async function pushAll(url: string): Promise<number> {
  const begin = performance.now();
  for (const body of bodies) {
    const res = await fetch(`${url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  }
  return (performance.now() - begin) / 1000;
}

async function tinyobs(args: string[]): Promise<ChildServer & { stop(): Promise<void> }> {
  const dir = tempDir('tinyobs-bench-');
  const srv = await spawnServer(['--data-dir', dir, ...args]);
  return {
    ...srv,
    async stop() {
      srv.child.kill('SIGTERM');
      await srv.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const res: Record<string, number[]> = {};
const add = (k: string, v: number) => {
  res[k] ??= [];
  res[k].push(v);
};
const M = w.totalSamples / 1e6;

for (let run = 0; run < RUNS; run++) {
  // Alone, then export from it and import into a fresh server.
  const plain = await tinyobs([]);
  const plainSec = await pushAll(plain.url);
  const plainCpu = cpuSeconds(plain.child.pid!);
  const plainMainCpu = mainThreadCpuSeconds(plain.child.pid!);
  let t0 = performance.now();
  const exported = await (await fetch(`${plain.url}/v1/export?format=jsonl&start=0`)).text();
  const exportSec = (performance.now() - t0) / 1000;
  await plain.stop();
  const fresh = await tinyobs([]);
  t0 = performance.now();
  const imp = await fetch(`${fresh.url}/v1/import?format=jsonl`, { method: 'POST', body: exported });
  const imported = ((await imp.json()) as { metrics_imported: number }).metrics_imported;
  const importSec = (performance.now() - t0) / 1000;
  await fresh.stop();
  if (imported !== w.totalSamples) throw new Error(`imported ${imported} of ${w.totalSamples} samples`);

  // With forwarding to a real VictoriaMetrics.
  const vmDir = tempDir('tinyobs-bench-vm-');
  const vm = await startVm(vmBinary, vmDir, await freePort());
  const fwd = await tinyobs(['--remote-write-url', vm.writeUrl]);
  t0 = performance.now();
  const fwdSec = await pushAll(fwd.url);
  const sent = await waitFor(
    'forwarding to finish',
    async () => {
      const [t] = (
        (await (await fetch(`${fwd.url}/v1/stats`)).json()) as {
          remote_write: { pending_samples: number; sent_samples: number }[];
        }
      ).remote_write;
      return t!.pending_samples === 0 && t!.sent_samples >= w.totalSamples ? t!.sent_samples : undefined;
    },
    600_000,
  );
  const drainSec = (performance.now() - t0) / 1000;
  const fwdCpu = cpuSeconds(fwd.child.pid!);
  const fwdMainCpu = mainThreadCpuSeconds(fwd.child.pid!);
  await fwd.stop();
  await vm.stop();
  rmSync(vmDir, { recursive: true, force: true });
  if (sent !== w.totalSamples) throw new Error(`forwarded ${sent} of ${w.totalSamples} samples`);

  const line = {
    bench: 'remote_write',
    run,
    samples: w.totalSamples,
    ingest_sps: Math.round(w.totalSamples / plainSec),
    ingest_sps_forwarding: Math.round(w.totalSamples / fwdSec),
    ratio_ingest_forwarding_over_alone: +(plainSec / fwdSec).toFixed(3),
    forward_sps: Math.round(w.totalSamples / drainSec),
    forwarder_cpu_s_per_million: +((fwdCpu - plainCpu) / M).toFixed(3),
    forwarder_main_thread_us_per_sample: +((fwdMainCpu - plainMainCpu) / M).toFixed(3),
    export_jsonl_sps: Math.round(w.totalSamples / exportSec),
    import_jsonl_sps: Math.round(w.totalSamples / importSec),
  };
  for (const [k, v] of Object.entries(line))
    if (typeof v === 'number' && k !== 'run' && k !== 'samples') add(k, v);
  console.log(JSON.stringify(line));
}

console.log(
  JSON.stringify({
    bench: 'remote_write',
    summary: 'median of runs',
    runs: RUNS,
    series: w.series.length,
    samples: w.totalSamples,
    ingest_sps: median(res.ingest_sps!),
    ingest_sps_forwarding: median(res.ingest_sps_forwarding!),
    ratio_ingest_forwarding_over_alone: +median(res.ratio_ingest_forwarding_over_alone!).toFixed(3),
    target_ratio_at_least: 0.8,
    forward_sps: median(res.forward_sps!),
    forwarder_cpu_s_per_million: median(res.forwarder_cpu_s_per_million!),
    forwarder_main_thread_us_per_sample: median(res.forwarder_main_thread_us_per_sample!),
    export_jsonl_sps: median(res.export_jsonl_sps!),
    import_jsonl_sps: median(res.import_jsonl_sps!),
    peer: 'victoria-metrics /api/v1/write (protobuf_message auto: remote write 1.0 after the 2.0 probe, snappy)',
  }),
);
