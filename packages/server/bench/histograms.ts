/**
 * Classic-histogram series for the PromQL benchmarks: `http_request_duration_seconds_bucket` for
 * 5 services × 4 instances × 12 `le` bounds, cumulative over `samples` steps, seeded so every
 * benchmark and baseline sees the same data.
 */

import { type Labels, labelsFromRecord } from '../src/model/labels.js';
import { mulberry32 } from '../test/support/prng.js';

const LES = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];

export interface HistogramSeries {
  readonly labels: Labels;
  /** Cumulative bucket count at each step. */
  readonly values: Float64Array;
}

export function histogramSeries(samples: number): HistogramSeries[] {
  const rnd = mulberry32(42);
  const out: HistogramSeries[] = [];
  for (const service of ['api', 'auth', 'billing', 'search', 'web']) {
    for (let inst = 0; inst < 4; inst++) {
      const series = LES.map((le) => ({
        labels: labelsFromRecord({
          __name__: 'http_request_duration_seconds_bucket',
          service,
          instance: `h${inst}`,
          le,
        }),
        values: new Float64Array(samples),
      }));
      const counts = new Float64Array(LES.length);
      for (let k = 0; k < samples; k++) {
        const observations = Math.floor(rnd() * 50);
        for (let o = 0; o < observations; o++) {
          const latency = -Math.log(1 - rnd()) * 0.15;
          for (let b = 0; b < LES.length; b++)
            if (b === LES.length - 1 || latency <= Number(LES[b])) counts[b]!++;
        }
        for (let b = 0; b < LES.length; b++) series[b]!.values[k] = counts[b]!;
      }
      out.push(...series);
    }
  }
  return out;
}
