/**
 * Days of data through the real server, checked against a model: `tinyobs serve` with short
 * retentions and a short persistence interval receives `days` of samples of `series` series
 * (half gauges, half counters), stamped in the past and pushed as fast as it takes them, so that
 * persistence, downsampling and retention all run while it ingests. Then PromQL answers over the
 * raw part must equal the model exactly, and over the part only tiers cover must agree within
 * the documented tolerance. Used by `long_run.test.ts` (small) and `scripts/long-run.ts` (full size).
 */

import { postJson, spawnServer } from '../support/server.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface LongRunOptions {
  readonly dataDir: string;
  readonly series: number;
  readonly days: number;
  readonly intervalMs: number;
  /** Time between two checked instants (default 1 h; each check is three queries over every series). */
  readonly checkEveryMs?: number;
  readonly log?: (line: Record<string, unknown>) => void;
}

export interface LongRunReport {
  readonly samples: number;
  readonly ingestMs: number;
  readonly samplesPerSecond: number;
  /** Problems found (empty: every check passed). */
  readonly problems: string[];
  readonly checks: number;
  /** What the database did meanwhile (from `/v1/stats` at the end). */
  readonly housekeeping: {
    readonly persists: number;
    readonly downsampledWindows: number;
    readonly retentionRuns: number;
    /** Raw samples left on disk and in memory: fewer than ingested once retention deleted some. */
    readonly rawSamples: number;
  };
}

/** Gauge value of series `i` at `t`: integers, so that sums are exact in any order. */
const gauge = (i: number, t: number) => ((i * 7919 + t / 1000) % 1000) - 500;
/** Counter increase of series `i` over one interval. */
const step = (i: number, k: number) => 1 + ((i + k) % 5);

export async function longRun(o: LongRunOptions): Promise<LongRunReport> {
  const half = Math.floor(o.series / 2);
  const end = Math.floor((Date.now() - 10 * MIN) / HOUR) * HOUR;
  const start = end - o.days * DAY;
  const server = await spawnServer([
    '--data-dir',
    o.dataDir,
    '--retention-raw',
    '1d',
    '--retention-5m',
    `${Math.max(2, o.days - 1)}d`,
    '--persist-interval',
    '2s',
    '--max-samples-per-request',
    '50000',
  ]);
  const problems: string[] = [];
  let checks = 0;
  try {
    const counters = new Float64Array(half);
    const t0 = performance.now();
    let samples = 0;
    const perRequest = 20_000;
    let body: unknown[] = [];
    const pending: Promise<void>[] = [];
    const flush = async () => {
      const metrics = body;
      body = [];
      const res = await postJson(`${server.url}/v1/ingest`, { metrics });
      if (res.status !== 200)
        problems.push(`ingest answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
    };
    let k = 0;
    for (let t = start; t < end; t += o.intervalMs, k++) {
      for (let i = 0; i < half; i++) {
        counters[i]! += step(i, k);
        body.push({
          name: 'lr_gauge',
          type: 'gauge',
          value: gauge(i, t),
          labels: { i: String(i) },
          timestamp: t,
        });
        body.push({
          name: 'lr_total',
          type: 'counter',
          value: counters[i],
          labels: { i: String(i) },
          timestamp: t,
        });
        samples += 2;
      }
      if (body.length >= perRequest) {
        pending.push(flush());
        if (pending.length >= 2) await pending.shift();
      }
    }
    if (body.length > 0) pending.push(flush());
    await Promise.all(pending);
    const ingestMs = performance.now() - t0;
    o.log?.({ phase: 'ingested', samples, ingestMs: Math.round(ingestMs) });
    // Wait until retention has cut raw data and the tiers cover what it cut.
    const rawCut = end - DAY;
    for (let waited = 0; ; waited += 500) {
      const st = (await (await fetch(`${server.url}/v1/storage`)).json()) as {
        tiers: Record<string, { done_until: number | null }>;
      };
      const done = st.tiers['5m']?.done_until ?? 0;
      if (done >= rawCut - 6 * HOUR && waited > 4000) break;
      if (waited > 120_000) {
        problems.push(`the tiers did not catch up: ${JSON.stringify(st.tiers)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    o.log?.({ phase: 'tiers caught up', ms: Math.round(performance.now() - t0) });
    const query = async (q: string, at: number): Promise<number> => {
      const p = new URLSearchParams({ query: q, time: String(at / 1000) });
      const res = await fetch(`${server.url}/api/v1/query?${p}`);
      const j = (await res.json()) as { data?: { result: { value: [number, string] }[] } };
      return Number(j.data?.result[0]?.value[1] ?? Number.NaN);
    };
    const points = (from: number, to: number) => Math.floor((to - from) / o.intervalMs);
    /** Relative error against `scale` (the size of the quantity, for sums that may be near 0). */
    const expect = (what: string, got: number, want: number, tolerance: number, scale = Math.abs(want)) => {
      checks++;
      const err = Math.abs(got - want) / Math.max(scale, 1);
      if (!(err <= tolerance)) problems.push(`${what}: got ${got}, model ${want}`);
    };
    // The model at hour-aligned times: over raw data exact, where only tiers remain within the
    // tolerance. Retention cuts raw data at `rawCut` less up to 12 h and one interval (the newest
    // sample is one interval before `end`; down to a 6 h window, and the window the next 5m
    // window reads back into): a window ending at `rawCut - 12 h` may still hold one raw sample
    // (it did when `end` fell on a multiple of 6 h). Windows that may straddle the splice are
    // left to the property test (tsdb/downsample).
    for (let at = start + 6 * HOUR; at < end; at += o.checkEveryMs ?? HOUR) {
      const lo = at - 3 * HOUR;
      const raw = lo >= rawCut;
      if (!raw && at >= rawCut - 12 * HOUR) continue;
      const when = `${raw ? 'raw' : 'tiers'} at ${new Date(at).toISOString()}`;
      let sum = 0;
      let count = 0;
      for (let t = lo + o.intervalMs; t <= at; t += o.intervalMs) {
        count++;
        for (let i = 0; i < half; i++) sum += gauge(i, t);
      }
      expect(
        `count_over_time ${when}`,
        await query('sum(count_over_time(lr_gauge[3h]))', at),
        count * half,
        0,
      );
      expect(
        `sum_over_time ${when}`,
        await query('sum(sum_over_time(lr_gauge[3h]))', at),
        sum,
        raw ? 1e-12 : 0.01,
        count * half * 500,
      );
      // increase() extrapolates to the window: the model does the same over its samples.
      const kFrom = (lo - start) / o.intervalMs + 1;
      const n = points(lo, at);
      let inc = 0;
      for (let i = 0; i < half; i++) for (let kk = kFrom + 1; kk < kFrom + n; kk++) inc += step(i, kk);
      const want = (inc * n) / (n - 1);
      expect(`increase ${when}`, await query('sum(increase(lr_total[3h]))', at), want, raw ? 1e-9 : 0.05);
    }
    // The newest instant: every gauge's value at the last timestamp, summed.
    const last = start + (k - 1) * o.intervalMs;
    let lastSum = 0;
    for (let i = 0; i < half; i++) lastSum += gauge(i, last);
    expect('sum of the newest values', await query('sum(lr_gauge)', last), lastSum, 0);
    const st = (await (await fetch(`${server.url}/v1/stats`)).json()) as {
      tsdb: {
        samples: { onDisk: number; inHead: number };
        compactions: { persists: number; downsampleWindows: number; retentionRuns: number };
      };
    };
    const c = st.tsdb.compactions;
    return {
      samples,
      ingestMs,
      samplesPerSecond: Math.round(samples / (ingestMs / 1000)),
      problems,
      checks,
      housekeeping: {
        persists: c.persists,
        downsampledWindows: c.downsampleWindows,
        retentionRuns: c.retentionRuns,
        rawSamples: st.tsdb.samples.onDisk + st.tsdb.samples.inHead,
      },
    };
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}
