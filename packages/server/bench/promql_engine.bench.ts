/**
 * PromQL engine latency without HTTP, on the issue-3 workload (10 000 series × 360 samples at
 * 10 s) plus 240 classic-histogram bucket series, all in an in-memory head. Each query is a 1 h
 * range query at a 15 s step (241 steps). Prints one JSON line per query: the median and minimum
 * wall time of the query, and the time to read the same samples straight from storage (the part
 * of the query the engine cannot go below).
 *
 *   node --import tsx packages/server/bench/promql_engine.bench.ts [--runs 9]
 *
 * No forced GC between runs: after a full collection V8 shrinks the young generation and the next
 * query pays for growing it again, which a server answering queries does not.
 */

import { parseArgs } from 'node:util';
import { type Matcher, newMatcher } from '../src/model/matcher.js';
import { Engine } from '../src/promql/engine/engine.js';
import type { SampleIterator } from '../src/storage/types.js';
import { Head } from '../src/tsdb/head/head.js';
import { histogramSeries } from './histograms.js';
import { generateWorkload } from './workload.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const RUNS = Number(args.runs);
const SAMPLES = 360;
const STEP_MS = 10_000;
const START = 1_700_000_000_000;

const QUERIES: Record<string, { expr: string; read: Matcher[] }> = {
  sum_rate: {
    expr: 'sum by (service) (rate(http_requests_total[5m]))',
    read: [newMatcher('=', '__name__', 'http_requests_total')],
  },
  histogram_quantile: {
    expr: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
    read: [newMatcher('=', '__name__', 'http_request_duration_seconds_bucket')],
  },
  topk: {
    expr: 'topk(5, rate(http_requests_total[5m]))',
    read: [newMatcher('=', '__name__', 'http_requests_total')],
  },
  ratio: {
    expr: 'rate(http_request_errors_total[5m]) / rate(http_requests_total[5m])',
    read: [newMatcher('=~', '__name__', 'http_request_errors_total|http_requests_total')],
  },
  count_all: { expr: 'count({__name__=~".+"})', read: [newMatcher('=~', '__name__', '.+')] },
  raw_series: {
    expr: 'http_requests_total{service="api", instance="10.0.0.0:8080", endpoint="/", status="200"}',
    read: [
      newMatcher('=', '__name__', 'http_requests_total'),
      newMatcher('=', 'service', 'api'),
      newMatcher('=', 'instance', '10.0.0.0:8080'),
      newMatcher('=', 'endpoint', '/'),
      newMatcher('=', 'status', '200'),
    ],
  },
};

async function load(): Promise<Head> {
  const w = generateWorkload({
    series: 10_000,
    samplesPerSeries: SAMPLES,
    stepMs: STEP_MS,
    startMs: START,
    seed: 1,
  });
  const head = new Head();
  for (const b of w.batches(10_000)) {
    const app = head.appender();
    for (let i = 0; i < b.length; i++) app.append(0, w.series[b.series[i]!]!.labels, b.ts[i]!, b.vs[i]!);
    await app.commit();
  }
  const app = head.appender();
  for (const h of histogramSeries(SAMPLES))
    for (let k = 0; k < SAMPLES; k++) app.append(0, h.labels, START + k * STEP_MS, h.values[k]!);
  await app.commit();
  return head;
}

function stats(times: number[]): { median: number; min: number } {
  const s = [...times].sort((a, b) => a - b);
  return { median: +s[s.length >> 1]!.toFixed(2), min: +s[0]!.toFixed(2) };
}

const head = await load();
const engine = new Engine();
const end = START + SAMPLES * STEP_MS - 60_000;
const start = end - 3_600_000;
for (const [name, q] of Object.entries(QUERIES)) {
  await engine.rangeQuery(head, q.expr, start, end, 15_000); // warm-up
  const times: number[] = [];
  const reads: number[] = [];
  let series = 0;
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    const res = await engine.rangeQuery(head, q.expr, start, end, 15_000);
    times.push(performance.now() - t0);
    series = res.value.resultType === 'matrix' ? res.value.result.length : 0;
    // The storage floor: iterate the samples the query reads (5 m lookback/range before start).
    t0 = performance.now();
    const querier = head.querier(start - 300_000, end);
    const set = querier.select(q.read);
    let it: SampleIterator | undefined;
    let n = 0;
    while (set.next()) {
      it = set.at().iterator(it);
      for (let ok = it.seek(start - 300_000 + 1); ok && it.t() <= end; ok = it.next())
        n += Number.isNaN(it.v()) ? 0 : 1;
    }
    querier.close();
    reads.push(performance.now() - t0);
    if (n < 0) console.error(n);
  }
  const t = stats(times);
  const read = stats(reads);
  console.log(
    JSON.stringify({
      bench: 'promql.engine',
      query: name,
      expr: q.expr,
      range: '1h',
      step: '15s',
      runs: RUNS,
      series,
      median_ms: t.median,
      min_ms: t.min,
      storage_read_median_ms: read.median,
    }),
  );
}
