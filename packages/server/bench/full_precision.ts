/**
 * Full-precision workloads for the bytes-per-sample figure of `tsdb.bench.ts`, next to the
 * Gorilla paper's 1.37 bytes/sample (measured there on Facebook's production data). The default
 * workload (`workload.ts`) has values of limited precision (0.01 s steps, 2-decimal percents);
 * this one has the values real clients compute in float64, with nothing tuned to the codec:
 *
 * - `http_request_duration_seconds_sum`: a counter of latency sums in seconds; each interval adds
 *   the latencies of Poisson(rate × 10 s) requests, log-normal around a median of 2–200 ms;
 * - `http_requests_total`: the matching request counter (integer steps);
 * - `cache_hit_ratio`: hits / lookups over the interval, a full-precision quotient (the last
 *   value repeated while there are no lookups, as a client keeps reporting it);
 * - `network_transmit_bytes_total`: a byte counter growing by the sizes of the interval's responses;
 * - `request_latency_ewma_seconds`: a gauge, the exponentially weighted mean of the latencies
 *   (every mantissa bit in use).
 *
 * A fifth of the series each. Rates are log-uniform from 0.01 to 100 requests/s per series, so some
 * series are mostly idle (their counters repeat), as in any real fleet. Timestamps every 10 s from a
 * per-series phase, with 0–25 ms of jitter per sample (a client's timer). All drawn from a seed.
 *
 * `randomValues` is the worst case kept for reference: uniform random doubles with every mantissa
 * bit random, where XOR costs more than 8 bytes a value whatever the codec.
 */

import { mulberry32 } from '../test/support/prng.js';

export const KINDS = [
  'http_request_duration_seconds_sum',
  'http_requests_total',
  'cache_hit_ratio',
  'network_transmit_bytes_total',
  'request_latency_ewma_seconds',
] as const;

export interface FullPrecisionSeries {
  readonly metric: (typeof KINDS)[number];
  /** Timestamps and values, one per step. */
  readonly ts: Float64Array;
  readonly vs: Float64Array;
}

type Rng = () => number;

const gauss = (r: Rng) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

function poisson(r: Rng, mean: number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = r(); p > l; p *= r()) k++;
  return k;
}

/** Series `i` of the realistic full-precision workload (`samples` steps of `stepMs` from `startMs`). */
export function fullPrecisionSeries(
  seed: number,
  i: number,
  samples: number,
  startMs: number,
  stepMs = 10_000,
): FullPrecisionSeries {
  const r = mulberry32(Math.imul(seed ^ 0x5bd1e995, i + 1));
  const metric = KINDS[i % KINDS.length]!;
  const rate = 10 ** (-2 + 4 * r());
  const median = 10 ** (-2.7 + 2 * r());
  const sigma = 0.8;
  const latency = () => median * Math.exp(sigma * gauss(r));
  const meanLatency = median * Math.exp((sigma * sigma) / 2);
  /** Sum of n latencies: drawn one by one, or by the normal approximation for many. */
  const latencySum = (n: number) => {
    if (n <= 30) {
      let s = 0;
      for (let k = 0; k < n; k++) s += latency();
      return s;
    }
    const sd = meanLatency * Math.sqrt(Math.exp(sigma * sigma) - 1);
    return Math.max(0, n * meanLatency + Math.sqrt(n) * sd * gauss(r));
  };
  const hitP = 0.5 + 0.49 * r();
  const meanSize = 500 + 20_000 * r();
  const phase = Math.floor(r() * stepMs);
  const ts = new Float64Array(samples);
  const vs = new Float64Array(samples);
  let v = metric === 'request_latency_ewma_seconds' ? meanLatency : 0;
  if (metric === 'cache_hit_ratio') v = hitP;
  for (let k = 0; k < samples; k++) {
    const n = poisson(r, rate * (stepMs / 1000));
    switch (metric) {
      case 'http_request_duration_seconds_sum':
        v += latencySum(n);
        break;
      case 'http_requests_total':
        v += n;
        break;
      case 'cache_hit_ratio': {
        if (n === 0) break;
        const hits = Math.min(
          n,
          Math.max(0, Math.round(n * hitP + Math.sqrt(n * hitP * (1 - hitP)) * gauss(r))),
        );
        v = hits / n;
        break;
      }
      case 'network_transmit_bytes_total':
        v += n === 0 ? 0 : Math.max(0, Math.round(n * meanSize + Math.sqrt(n) * meanSize * gauss(r)));
        break;
      default:
        if (n > 0) v = 0.9 * v + 0.1 * (latencySum(n) / n);
    }
    ts[k] = startMs + phase + k * stepMs + Math.floor(r() * 25);
    vs[k] = v;
  }
  return { metric, ts, vs };
}

/** The worst case: uniform random doubles in [0, 1) (all 53 bits random) on the same timestamps. */
export function randomValues(seed: number, s: FullPrecisionSeries): FullPrecisionSeries {
  const r = mulberry32(seed);
  return { metric: s.metric, ts: s.ts, vs: Float64Array.from(s.vs, () => r() + r() * 2 ** -32) };
}
