/**
 * PromQL latency against a real Prometheus in the same run, on the storage benchmark's workload
 * (10 000 series × 360 samples at 10 s, plus 240 classic-histogram bucket series), each query a
 * 1 h range query at a 15 s step, sent over HTTP to both servers from this process.
 *
 * Prometheus (Debian's package) gets the same samples through `promtool tsdb
 * create-blocks-from openmetrics`; TinyObs gets them through its Appender, persisted, then serves
 * them from its own process (`tinyobs serve`), as Prometheus does. Prints one JSON line
 * per query with both medians and their ratio.
 *
 * Then, on TinyObs alone, responsiveness under a heavy query: p99 latency of small ingest
 * requests and the slowest `/v1/health` answer (an upper bound of the longest event-loop stall),
 * first idle, then while the `count_all` query runs in a loop (BENCH_LOAD_MS each, default 4000).
 *
 *   node --import tsx --expose-gc packages/server/bench/promql.bench.ts
 * Env: BENCH_RUNS (default 7), BENCH_SAMPLES_PER_SERIES (default 360).
 */

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Labels, METRIC_NAME } from '../src/model/labels.js';
import { DB } from '../src/tsdb/db.js';
import { freePort, waitFor } from '../test/support/ports.js';
import { spawnServer, tempDir } from '../test/support/server.js';
import { findBinary } from '../test/support/system.js';
import { histogramSeries } from './histograms.js';
import { generateWorkload } from './workload.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SAMPLES = Number(process.env.BENCH_SAMPLES_PER_SERIES ?? 360);
const STEP_MS = 10_000;
const start = Math.floor((Date.now() - SAMPLES * STEP_MS) / 60_000) * 60_000;
const w = generateWorkload({
  series: 10_000,
  samplesPerSeries: SAMPLES,
  stepMs: STEP_MS,
  startMs: start,
  seed: 1,
});

const hist = histogramSeries(SAMPLES);
const stepTime = (k: number) => start + k * STEP_MS;
const oneSeries = w.series[0]!.labels;
const selector = `{${oneSeries.map((l) => `${l.name}="${l.value}"`).join(',')}}`;
const QUERIES: Record<string, string> = {
  sum_rate: 'sum by (service) (rate(http_requests_total[5m]))',
  histogram_quantile:
    'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
  topk: 'topk(5, rate(http_requests_total[5m]))',
  count_all: 'count({__name__=~".+"})',
  raw_series: selector,
};
const end = start + (SAMPLES - 1) * STEP_MS;
const rangeStart = end - 3_600_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeQueries(base: string): Promise<Record<string, { ms: number; series: number }>> {
  const out: Record<string, { ms: number; series: number }> = {};
  for (const [name, q] of Object.entries(QUERIES)) {
    const body = new URLSearchParams({
      query: q,
      start: String(rangeStart / 1000),
      end: String(end / 1000),
      step: '15',
    });
    const once = async () => {
      const t0 = performance.now();
      const res = await fetch(`${base}/api/v1/query_range`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
      const json = (await res.json()) as { status: string; error?: string; data: { result: unknown[] } };
      if (json.status !== 'success') throw new Error(`${name} failed on ${base}: ${json.error}`);
      return { ms: performance.now() - t0, series: json.data.result.length };
    };
    await once(); // warm-up
    const times: number[] = [];
    let series = 0;
    for (let r = 0; r < RUNS; r++) {
      const x = await once();
      times.push(x.ms);
      series = x.series;
    }
    out[name] = { ms: median(times), series };
  }
  return out;
}

/**
 * Loads the samples through the database's Appender, closes it (which persists them), then starts
 * `tinyobs serve` on that directory as its own process, as Prometheus runs in its own: the
 * client's work in this process does not share the server's event loop.
 */
async function loadTinyObs() {
  const dir = tempDir('tinyobs-bench-promql-');
  const db = await DB.open({ dir });
  for (const b of w.batches(10_000)) {
    const app = db.appender();
    for (let i = 0; i < b.length; i++) app.append(0, w.series[b.series[i]!]!.labels, b.ts[i]!, b.vs[i]!);
    await app.commit();
  }
  const app = db.appender();
  for (const h of hist) for (let k = 0; k < SAMPLES; k++) app.append(0, h.labels, stepTime(k), h.values[k]!);
  await app.commit();
  await db.close();
  const server = await spawnServer(['--data-dir', dir]);
  return {
    url: server.url,
    async stop() {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function writeOpenMetrics(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  const line = (ls: Labels) => {
    const name = ls.find((l) => l.name === METRIC_NAME)!.value;
    const rest = ls.filter((l) => l.name !== METRIC_NAME).map((l) => `${l.name}="${l.value}"`);
    return `${name}{${rest.join(',')}}`;
  };
  // OpenMetrics wants each family contiguous and each series in time order.
  const byName = new Map<string, number[]>();
  for (const s of w.series) byName.set(s.metric, [...(byName.get(s.metric) ?? []), s.index]);
  const ts = new Float64Array(SAMPLES);
  const vs = new Float64Array(SAMPLES);
  for (const indexes of byName.values()) {
    for (const i of indexes) {
      w.timestamps(i, ts);
      w.values(i, vs);
      const prefix = line(w.series[i]!.labels);
      let chunk = '';
      for (let k = 0; k < SAMPLES; k++) chunk += `${prefix} ${vs[k]} ${ts[k]! / 1000}\n`;
      await write(chunk);
    }
  }
  for (const h of hist) {
    const prefix = line(h.labels);
    let chunk = '';
    for (let k = 0; k < SAMPLES; k++) chunk += `${prefix} ${h.values[k]} ${stepTime(k) / 1000}\n`;
    await write(chunk);
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
}

async function startPrometheus(prometheus: string, promtool: string) {
  const dir = tempDir('tinyobs-bench-prom-');
  const file = join(dir, 'data.om');
  await writeOpenMetrics(file);
  const data = join(dir, 'data');
  mkdirSync(data);
  const r = spawnSync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, data], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`promtool failed: ${r.stderr}`);
  rmSync(file);
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  const child = spawn(
    prometheus,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'Prometheus to be ready',
    async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined),
    60_000,
  );
  return {
    base,
    stop: () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** p-th percentile (0..1) of `xs`. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const LOAD_MS = Number(process.env.BENCH_LOAD_MS ?? 4000);

/**
 * For LOAD_MS: sequential ingest requests of 100 samples (new series, numeric timestamps) and
 * /v1/health probes every 5 ms, with `loops` clients running count_all back to back meanwhile.
 */
async function responsiveness(base: string, loops: number, seq: number) {
  let running = true;
  const ingest: number[] = [];
  const health: number[] = [];
  let queries = 0;
  const timed = async (fn: () => Promise<Response>, into: number[]) => {
    const t0 = performance.now();
    const res = await fn();
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`HTTP ${res.status} from ${res.url}`);
    into.push(performance.now() - t0);
  };
  const body = new URLSearchParams({
    query: QUERIES.count_all!,
    start: String(rangeStart / 1000),
    end: String(end / 1000),
    step: '15',
  }).toString();
  const queryLoop = async () => {
    while (running) {
      const res = await fetch(`${base}/api/v1/query_range`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      await res.arrayBuffer();
      queries++;
    }
  };
  let n = 0;
  const ingestLoop = async () => {
    while (running) {
      const t = Date.now();
      const metrics = Array.from({ length: 100 }, (_, i) => ({
        name: 'bench_ingest',
        type: 'gauge',
        value: n,
        labels: { phase: String(seq), i: String(i) },
        timestamp: t,
      }));
      n++;
      await timed(
        () =>
          fetch(`${base}/v1/ingest`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ metrics }),
          }),
        ingest,
      );
    }
  };
  const healthLoop = async () => {
    while (running) {
      await timed(() => fetch(`${base}/v1/health`), health);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const tasks = [ingestLoop(), healthLoop(), ...Array.from({ length: loops }, queryLoop)];
  await new Promise((r) => setTimeout(r, LOAD_MS));
  running = false;
  await Promise.all(tasks);
  return {
    ingest_p99_ms: +percentile(ingest, 0.99).toFixed(2),
    ingest_requests: ingest.length,
    health_max_ms: +Math.max(...health).toFixed(2),
    count_queries: queries,
  };
}

const tiny = await loadTinyObs();
const tinyTimes = await timeQueries(tiny.url);
const idle = await responsiveness(tiny.url, 0, 0);
const loaded = await responsiveness(tiny.url, 1, 1);
await tiny.stop();
console.log(
  JSON.stringify({
    bench: 'promql.responsiveness',
    query: 'count_all',
    expr: QUERIES.count_all,
    load_ms: LOAD_MS,
    idle,
    under_query_loop: loaded,
    ratio_ingest_p99_loaded_over_idle: +(loaded.ingest_p99_ms / idle.ingest_p99_ms).toFixed(2),
  }),
);

const prometheus = findBinary('prometheus');
const promtool = findBinary('promtool');
let promTimes: Record<string, { ms: number; series: number }> | null = null;
if (prometheus && promtool) {
  const prom = await startPrometheus(prometheus, promtool);
  try {
    promTimes = await timeQueries(prom.base);
  } finally {
    prom.stop();
  }
} else {
  process.stderr.write(
    'promql.bench: prometheus/promtool not installed (apt-get install prometheus): no baseline\n',
  );
}

for (const name of Object.keys(QUERIES)) {
  const t = tinyTimes[name]!;
  const p = promTimes?.[name];
  console.log(
    JSON.stringify({
      bench: 'promql.query_range',
      query: name,
      expr: QUERIES[name],
      range: '1h',
      step: '15s',
      runs: RUNS,
      tinyobs_ms: +t.ms.toFixed(2),
      prometheus_ms: p ? +p.ms.toFixed(2) : null,
      ratio_tinyobs_over_prometheus: p ? +(t.ms / p.ms).toFixed(2) : null,
      series_tinyobs: t.series,
      series_prometheus: p?.series ?? null,
    }),
  );
}
