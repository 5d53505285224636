/**
 * The storage benchmark workload of issue 3, deterministic from a seed, for every benchmark that
 * needs it (chunk encoding, storage engine, ingest over HTTP):
 *
 * 10 metric names × N label sets (service, instance, endpoint, status; 1 000 sets give 10 000
 * series), one sample every `stepMs` per series. Five counters (monotonic, no resets): requests
 * and errors with integer steps (Poisson increments), response bytes (integer, large increments),
 * CPU and request time in 0.01 s steps. Five gauges, random walks of limited precision: resident
 * memory in 4 KiB pages, CPU percent (2 decimals), load average (2 decimals), temperature
 * (1 decimal), queue length (integer). Each series has its own rates and levels, drawn from the seed.
 *
 * Every series has a phase in [0, stepMs) (push clients are not synchronised) and, with `jitterMs`,
 * per-sample timing noise. Values of a series depend only on (seed, series index), so
 * {@link Workload.values} for one series and {@link Workload.batches} over all agree.
 *
 * ```ts
 * const w = generateWorkload({ series: 10_000, samplesPerSeries: 360, stepMs: 10_000, seed: 1 });
 * w.series[0].labels;                        // sorted Labels with __name__
 * const ts = w.timestamps(0), vs = w.values(0);
 * for (const b of w.batches(10_000)) { for (let i = 0; i < b.length; i++) append(b.series[i], b.ts[i], b.vs[i]); }
 * ```
 */

import type { Labels } from '../src/model/labels.js';
import { labelsFromRecord } from '../src/model/labels.js';
import { mulberry32 } from '../test/support/prng.js';

export interface WorkloadOptions {
  /** Number of series (default 10 000: 10 metric names × 1 000 label sets). */
  series?: number;
  /** Samples per series (default 360). */
  samplesPerSeries?: number;
  /** Interval between two samples of a series in ms (default 10 000). */
  stepMs?: number;
  /** Time of the first step in ms (default 1 700 000 000 000, a round Unix time in 2023). */
  startMs?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Maximum timing noise per sample in ms, uniform in ±jitterMs (default 0: exact steps). */
  jitterMs?: number;
}

export type SeriesType = 'counter' | 'gauge';

export interface SeriesDef {
  /** Index of the series, 0 … series−1. */
  readonly index: number;
  readonly metric: string;
  readonly type: SeriesType;
  /** Sorted labels, `__name__` included. */
  readonly labels: Labels;
}

/** Samples of many series in time order. The arrays are reused between batches. */
export interface SampleBatch {
  length: number;
  /** Series index of each sample. */
  readonly series: Uint32Array;
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

export interface Workload {
  readonly series: readonly SeriesDef[];
  readonly samplesPerSeries: number;
  readonly stepMs: number;
  readonly startMs: number;
  readonly totalSamples: number;
  /** Timestamps of series `i` (into `out` when given). */
  timestamps(i: number, out?: Float64Array): Float64Array;
  /** Values of series `i` (into `out` when given). */
  values(i: number, out?: Float64Array): Float64Array;
  /**
   * All samples in time order, `size` at a time (default 10 000). The yielded batch and its arrays
   * are reused: read them before asking for the next one.
   */
  batches(size?: number): Generator<SampleBatch>;
}

type Rng = () => number;

function seriesRng(seed: number, i: number): Rng {
  return mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35));
}

/** Standard normal (Box–Muller). */
function gauss(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Poisson(mean): Knuth's method for small means, normal approximation above. */
function poisson(r: Rng, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > l) {
    k++;
    p *= r();
  }
  return k;
}

/** A value generator for one series: called once per step, returns the next value. */
type Gen = () => number;

interface MetricSpec {
  readonly name: string;
  readonly type: SeriesType;
  /** Draws the series' parameters from `r` and returns its generator (s = step in seconds). */
  make(r: Rng, s: number): Gen;
}

/** A counter whose value is `mant / scale`, so it is the exact decimal a client would report. */
function decimalCounter(scale: number, start: number, inc: () => number): Gen {
  let mant = Math.floor(start * scale);
  return () => {
    const v = mant / scale;
    mant += Math.max(0, Math.round(inc() * scale));
    return v;
  };
}

/** A random walk in units of 1/scale, kept within [lo, hi]. */
function walk(r: Rng, scale: number, lo: number, hi: number, start: number, sigma: number): Gen {
  let mant = Math.round(start * scale);
  const mlo = Math.round(lo * scale);
  const mhi = Math.round(hi * scale);
  return () => {
    const v = mant / scale;
    mant += Math.round(sigma * scale * gauss(r));
    if (mant < mlo) mant = 2 * mlo - mant;
    if (mant > mhi) mant = 2 * mhi - mant;
    return v;
  };
}

const METRICS: readonly MetricSpec[] = [
  {
    name: 'http_requests_total',
    type: 'counter',
    make: (r, s) => {
      const rate = 0.05 * 10 ** (r() * 3); // 0.05 … 50 per second
      return decimalCounter(1, r() * 1e6, () => poisson(r, rate * s));
    },
  },
  {
    name: 'http_request_errors_total',
    type: 'counter',
    make: (r, s) => {
      const rate = 0.001 * 10 ** (r() * 2.5); // 0.001 … 0.3 per second
      return decimalCounter(1, r() * 1e3, () => poisson(r, rate * s));
    },
  },
  {
    name: 'http_response_bytes_total',
    type: 'counter',
    make: (r, s) => {
      const rate = 0.05 * 10 ** (r() * 3);
      const size = 200 * 10 ** (r() * 2); // mean response size 200 B … 20 KB
      return decimalCounter(1, r() * 1e9, () => {
        const n = poisson(r, rate * s);
        return n === 0 ? 0 : n * size * Math.exp((0.3 * gauss(r)) / Math.sqrt(n));
      });
    },
  },
  {
    name: 'process_cpu_seconds_total',
    type: 'counter',
    make: (r, s) => {
      const cores = 0.01 + r() * 1.5;
      return decimalCounter(100, r() * 1e5, () => cores * s * Math.max(0, 1 + 0.3 * gauss(r)));
    },
  },
  {
    name: 'http_request_duration_seconds_total',
    type: 'counter',
    make: (r, s) => {
      const rate = 0.05 * 10 ** (r() * 3);
      const latency = 0.005 * 10 ** (r() * 2); // mean latency 5 ms … 500 ms
      return decimalCounter(100, r() * 1e5, () => poisson(r, rate * s) * latency * Math.exp(0.2 * gauss(r)));
    },
  },
  {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    make: (r) => {
      const pages = Math.round(1e4 + r() * 2e5); // 40 MB … 800 MB
      const w = walk(r, 1, 1e3, 1e6, pages, 20 + r() * 200);
      return () => w() * 4096;
    },
  },
  {
    name: 'cpu_usage_percent',
    type: 'gauge',
    make: (r) => walk(r, 100, 0, 100, r() * 100, 0.2 + r() * 3),
  },
  {
    name: 'node_load1',
    type: 'gauge',
    make: (r) => walk(r, 100, 0, 64, r() * 8, 0.02 + r() * 0.1),
  },
  {
    name: 'temperature_celsius',
    type: 'gauge',
    make: (r) => walk(r, 10, -20, 110, 20 + r() * 50, 0.1 + r() * 0.3),
  },
  {
    name: 'queue_length',
    type: 'gauge',
    make: (r) => walk(r, 1, 0, 1e4, r() * 100, 0.5 + r() * 4),
  },
];

const SERVICES = ['api', 'auth', 'billing', 'search', 'web'];
const ENDPOINTS = [
  '/',
  '/login',
  '/logout',
  '/api/v1/users',
  '/api/v1/orders',
  '/api/v1/items',
  '/api/v1/search',
  '/api/v1/cart',
  '/healthz',
  '/metrics',
];
const STATUSES = ['200', '201', '404', '500', '503'];

/** Label set j (unique for every j ≥ 0): 250 per instance, 5 services × 10 endpoints × 5 statuses. */
function labelSet(j: number): Record<string, string> {
  const inst = Math.floor(j / 250);
  return {
    service: SERVICES[j % 5]!,
    endpoint: ENDPOINTS[Math.floor(j / 5) % 10]!,
    status: STATUSES[Math.floor(j / 50) % 5]!,
    instance: `10.${(inst >> 16) & 255}.${(inst >> 8) & 255}.${inst & 255}:8080`,
  };
}

/** Builds the workload. Cheap: values are generated when asked for. */
export function generateWorkload(opts: WorkloadOptions = {}): Workload {
  const n = opts.series ?? 10_000;
  const samplesPerSeries = opts.samplesPerSeries ?? 360;
  const stepMs = opts.stepMs ?? 10_000;
  const startMs = opts.startMs ?? 1_700_000_000_000;
  const seed = opts.seed ?? 1;
  const jitterMs = opts.jitterMs ?? 0;
  const stepS = stepMs / 1000;

  const series: SeriesDef[] = [];
  const phase = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const spec = METRICS[i % METRICS.length]!;
    const labels = labelsFromRecord({ __name__: spec.name, ...labelSet(Math.floor(i / METRICS.length)) });
    series.push({ index: i, metric: spec.name, type: spec.type, labels });
    // Clients on one instance push together: the phase depends on the instance only.
    const inst = Math.floor(i / METRICS.length / 250);
    phase[i] = Math.floor(mulberry32(seed * 7919 + inst)() * stepMs);
  }
  // Series in phase order, so that a step's samples come out in time order.
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => phase[a]! - phase[b]! || a - b);

  /** Per series: one PRNG for values and parameters, one for timing jitter. */
  const gen = (i: number): { value: Gen; time: Rng } => {
    const r = seriesRng(seed, i);
    return { value: METRICS[i % METRICS.length]!.make(r, stepS), time: seriesRng(seed ^ 0x5bd1e995, i) };
  };
  const timeAt = (i: number, k: number, time: Rng): number => {
    const base = startMs + phase[i]! + k * stepMs;
    return jitterMs > 0 ? base + Math.round((time() * 2 - 1) * jitterMs) : base;
  };

  return {
    series,
    samplesPerSeries,
    stepMs,
    startMs,
    totalSamples: n * samplesPerSeries,
    timestamps(i, out = new Float64Array(samplesPerSeries)) {
      const { time } = gen(i);
      for (let k = 0; k < samplesPerSeries; k++) out[k] = timeAt(i, k, time);
      return out;
    },
    values(i, out = new Float64Array(samplesPerSeries)) {
      const { value } = gen(i);
      for (let k = 0; k < samplesPerSeries; k++) out[k] = value();
      return out;
    },
    *batches(size = 10_000) {
      const gens = Array.from({ length: n }, (_, i) => gen(i));
      const batch: SampleBatch = {
        length: 0,
        series: new Uint32Array(size),
        ts: new Float64Array(size),
        vs: new Float64Array(size),
      };
      for (let k = 0; k < samplesPerSeries; k++) {
        for (let j = 0; j < n; j++) {
          const i = order[j]!;
          const g = gens[i]!;
          const b = batch.length++;
          batch.series[b] = i;
          batch.ts[b] = timeAt(i, k, g.time);
          batch.vs[b] = g.value();
          if (batch.length === size) {
            yield batch;
            batch.length = 0;
          }
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}

/**
 * The ingest benchmarks' workload: 10 000 series at 10 s, ending now, `samplesPerSeries` each.
 * One definition, so that every protocol's figures are taken on the same samples.
 */
export function ingestWorkload(samplesPerSeries: number): Workload {
  return generateWorkload({
    series: 10_000,
    samplesPerSeries,
    stepMs: 10_000,
    startMs: Date.now() - samplesPerSeries * 10_000,
    seed: 1,
  });
}
