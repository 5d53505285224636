// Record-call cost of @tinyobs/sdk against prom-client and OpenTelemetry JS, same run, same
// machine. Prints one JSON line per (case, impl) with the median ns/op over several runs, then
// one line per case with the ratios and the targets.
//
// Run: node --import tsx --expose-gc packages/sdk/bench/record.bench.ts
// Env: BENCH_RUNS (default 7), BENCH_OPS (default 500 000 calls per run; tinyobs bound calls x10).
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import * as prom from 'prom-client';
import { createTinyObs } from '../src/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const OPS = Number(process.env.BENCH_OPS ?? 500_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// 3 methods x 5 routes x 3 statuses, pre-built so that no implementation pays for allocating
// the label object; each call picks the next one, like a server seeing varied requests.
const LABELS: { method: string; route: string; status: string }[] = [];
for (const method of ['GET', 'POST', 'DELETE'])
  for (const route of ['/users/:id', '/orders', '/orders/:id', '/products', '/health'])
    for (const status of ['200', '404', '500']) LABELS.push({ method, route, status });
const MASK = 31; // index with i & MASK into a 32-slot array (45 sets would need a modulo)
const L32 = Array.from({ length: 32 }, (_, i) => LABELS[i]!);
const NAMES = ['method', 'route', 'status'] as const;

type Loop = (n: number) => void;
interface Case {
  name: string;
  ops: number;
  impls: Record<string, Loop>;
  /** Ops per run for some implementations (a 1 ns loop needs more calls than a 1 µs one). */
  opsFor?: Record<string, number>;
}

// ---- tinyobs
const obs = createTinyObs({
  service: 'bench',
  flushIntervalMs: 0,
  shutdownOnExit: false,
  instance: false,
  onWarning: () => {},
});
const tCounter = obs.counter({ name: 'requests_total', labelNames: NAMES });
const tHist = obs.histogram({ name: 'duration_seconds', labelNames: NAMES });
const tGauge = obs.gauge({ name: 'in_flight', labelNames: NAMES });
const tBound = tCounter.bind(L32[0]!);

// ---- prom-client
const registry = new prom.Registry();
const pCounter = new prom.Counter({
  name: 'requests_total',
  help: 'h',
  labelNames: NAMES,
  registers: [registry],
});
const pHist = new prom.Histogram({
  name: 'duration_seconds',
  help: 'h',
  labelNames: NAMES,
  registers: [registry],
});
const pGauge = new prom.Gauge({ name: 'in_flight', help: 'h', labelNames: NAMES, registers: [registry] });
const pBound = pCounter.labels(L32[0]!);

// ---- OpenTelemetry (cumulative, exported never during the run)
const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
});
const provider = new MeterProvider({ readers: [reader] });
const meter = provider.getMeter('bench');
const oCounter = meter.createCounter('requests_total');
const oHist = meter.createHistogram('duration_seconds', {
  advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
});
const oGauge = meter.createGauge('in_flight');
const oAttrs = L32[0]!;

const CASES: Case[] = [
  {
    name: 'counter.inc.3labels',
    ops: OPS,
    impls: {
      tinyobs: (n) => {
        for (let i = 0; i < n; i++) tCounter.inc(L32[i & MASK]);
      },
      'prom-client': (n) => {
        for (let i = 0; i < n; i++) pCounter.inc(L32[i & MASK]!);
      },
      opentelemetry: (n) => {
        for (let i = 0; i < n; i++) oCounter.add(1, L32[i & MASK]);
      },
    },
  },
  {
    // OpenTelemetry JS has no bound instruments since 1.x; its line reuses one attribute object.
    name: 'counter.inc.bound',
    ops: OPS,
    opsFor: { tinyobs: OPS * 10 },
    impls: {
      tinyobs: (n) => {
        for (let i = 0; i < n; i++) tBound.inc();
      },
      'prom-client': (n) => {
        for (let i = 0; i < n; i++) pBound.inc();
      },
      opentelemetry: (n) => {
        for (let i = 0; i < n; i++) oCounter.add(1, oAttrs);
      },
    },
  },
  {
    name: 'histogram.observe.3labels',
    ops: OPS,
    impls: {
      tinyobs: (n) => {
        for (let i = 0; i < n; i++) tHist.observe((i & 1023) / 1000, L32[i & MASK]);
      },
      'prom-client': (n) => {
        for (let i = 0; i < n; i++) pHist.observe(L32[i & MASK]!, (i & 1023) / 1000);
      },
      opentelemetry: (n) => {
        for (let i = 0; i < n; i++) oHist.record((i & 1023) / 1000, L32[i & MASK]);
      },
    },
  },
  {
    name: 'gauge.set.3labels',
    ops: OPS,
    impls: {
      tinyobs: (n) => {
        for (let i = 0; i < n; i++) tGauge.set(i, L32[i & MASK]);
      },
      'prom-client': (n) => {
        for (let i = 0; i < n; i++) pGauge.set(L32[i & MASK]!, i);
      },
      opentelemetry: (n) => {
        for (let i = 0; i < n; i++) oGauge.record(i, L32[i & MASK]);
      },
    },
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeRun(loop: Loop, n: number): number {
  gc();
  const t0 = process.hrtime.bigint();
  loop(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

// Bytes allocated per call, measured with a GC before and no GC expected during the loop.
function bytesPerOp(loop: Loop, n: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  loop(n);
  const after = process.memoryUsage().heapUsed;
  return Math.max(0, (after - before) / n);
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const results = new Map<string, number>();
for (const c of CASES) {
  const impls = Object.entries(c.impls);
  const opsOf = (impl: string) => c.opsFor?.[impl] ?? c.ops;
  for (const [, loop] of impls) loop(Math.min(c.ops, 200_000)); // warm-up: let the JIT settle
  // Interleave the implementations run by run, so that drift (thermal, other load) hits all.
  const samples = new Map<string, number[]>(impls.map(([k]) => [k, []]));
  for (let r = 0; r < RUNS; r++)
    for (const [impl, loop] of impls) samples.get(impl)!.push(timeRun(loop, opsOf(impl)));
  for (const [impl, xs] of samples) {
    const ns = median(xs);
    results.set(`${c.name}|${impl}`, ns);
    const line: Record<string, unknown> = {
      bench: 'sdk.record',
      case: c.name,
      impl,
      ns_per_op: round(ns),
      runs: RUNS,
      ops_per_run: opsOf(impl),
      min_ns: round(Math.min(...xs)),
      max_ns: round(Math.max(...xs)),
    };
    if (c.name === 'counter.inc.bound' && impl === 'tinyobs')
      line.bytes_per_op = round(bytesPerOp(c.impls[impl]!, 1_000_000), 3);
    console.log(JSON.stringify(line));
  }
}

for (const c of CASES) {
  const t = results.get(`${c.name}|tinyobs`)!;
  const p = results.get(`${c.name}|prom-client`)!;
  const o = results.get(`${c.name}|opentelemetry`)!;
  const line: Record<string, unknown> = {
    bench: 'sdk.record',
    case: c.name,
    impl: 'tinyobs',
    ratio_vs_prom_client: round(t / p, 3),
    ratio_vs_opentelemetry: round(t / o, 3),
  };
  if (c.name === 'counter.inc.bound') {
    line.target = 'ns_per_op < 10';
    line.target_met = t < 10;
  } else {
    line.target = 'ratio_vs_prom_client <= 0.333';
    line.target_met = t / p <= 1 / 3;
  }
  console.log(JSON.stringify(line));
}

await provider.shutdown();
