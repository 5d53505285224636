// Cost of one push on the application's side: collecting, encoding and gzipping every series,
// for a few series counts. Prints one JSON line per case (median over runs).
//
// Run: node --import tsx --expose-gc packages/sdk/bench/push.bench.ts
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { encodeBatches } from '../src/encode.js';
import { createTinyObs } from '../src/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const gzipAsync = promisify(gzip);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

for (const series of [100, 1_000, 10_000]) {
  const obs = createTinyObs({
    service: 'bench',
    flushIntervalMs: 0,
    shutdownOnExit: false,
    instance: false,
    maxSeriesPerMetric: 100_000,
    onWarning: () => {},
  });
  // Three quarters counters, one quarter histograms (11 buckets + sum + count each).
  const c = obs.counter({ name: 'requests_total', labelNames: ['route', 'status'] });
  const h = obs.histogram({ name: 'duration_seconds', labelNames: ['route'] });
  for (let i = 0; i < series; i++) {
    if (i % 4 === 3) h.observe(i / series, { route: `/r/${i}` });
    else c.inc({ route: `/r/${i}`, status: 200 + (i % 3) });
  }
  const ms: number[] = [];
  let points = 0;
  let bytes = 0;
  for (let r = 0; r < RUNS; r++) {
    gc();
    const t0 = performance.now();
    const collected = await obs.collect();
    const batches = encodeBatches(collected, 10_000, 4 * 1024 * 1024);
    let size = 0;
    for (const b of batches) size += (await gzipAsync(b.json)).length;
    ms.push(performance.now() - t0);
    points = collected.length;
    bytes = size;
  }
  console.log(
    JSON.stringify({
      bench: 'sdk.push',
      case: `collect.encode.gzip.${series}series`,
      impl: 'tinyobs',
      ms_per_push: Math.round(median(ms) * 100) / 100,
      points,
      gzip_bytes_per_point: Math.round((bytes / points) * 100) / 100,
      runs: RUNS,
    }),
  );
}
