/**
 * Realistic series for the dashboard's browser test, pushed through the real JSON ingest:
 * one service per naming convention the overview must understand (the TinyObs SDK and
 * prom-client, the original Go SDK, OpenTelemetry) and many small services for the 50 × 10
 * timing. Values come from a seeded PRNG, so a failure is reproducible.
 */

import { mulberry32 } from '../../server/test/support/prng.js';

export const XSS = '<img src=x onerror="window.__xss=1">';

interface Point {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  value: number;
  labels: Record<string, string>;
  timestamp: number;
  help?: string;
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Cumulative state of one service, advanced one push at a time. */
export class ServiceSim {
  private readonly rand: () => number;
  private readonly counters = new Map<string, number>();
  constructor(
    readonly service: string,
    readonly style: 'sdk' | 'go' | 'otel' | 'small',
    seed: number,
  ) {
    this.rand = mulberry32(seed);
  }

  private inc(key: string, by: number): number {
    const v = (this.counters.get(key) ?? 0) + by;
    this.counters.set(key, v);
    return v;
  }

  /** The points of one push at `t` (ms), covering `dtS` seconds of traffic. */
  push(t: number, dtS: number): Point[] {
    const out: Point[] = [];
    const svc = this.service;
    const add = (name: string, type: Point['type'], value: number, labels: Record<string, string> = {}) =>
      out.push({ name, type, value, labels: { service: svc, ...labels }, timestamp: t });
    const http = (names: { count: string; hist: string; route: string; status: string; method: string }) => {
      const routes = this.style === 'sdk' ? ['/checkout', '/cart', XSS] : ['/api/users', '/api/orders'];
      for (const route of routes) {
        for (const status of ['200', '500']) {
          const n = Math.round((status === '200' ? 20 : 1) * dtS * (0.5 + this.rand()));
          const labels = { [names.route]: route, [names.status]: status, [names.method]: 'GET' };
          const k = `${route}|${status}`;
          if (names.count) add(names.count, 'counter', this.inc(`c${k}`, n), labels);
          if (!names.hist) continue;
          // Latencies roughly exponential around 80ms (slower for errors): cumulative per bucket.
          const mean = status === '200' ? 0.08 : 0.4;
          for (const le of BUCKETS) {
            const below = Math.round(n * (1 - Math.exp(-le / mean)));
            add(`${names.hist}_bucket`, 'histogram', this.inc(`b${k}${le}`, below), {
              ...labels,
              le: String(le),
            });
          }
          add(`${names.hist}_bucket`, 'histogram', this.inc(`b${k}inf`, n), { ...labels, le: '+Inf' });
          add(`${names.hist}_count`, 'histogram', this.inc(`n${k}`, n), labels);
          add(`${names.hist}_sum`, 'histogram', this.inc(`s${k}`, n * 0.08 * (0.5 + this.rand())), labels);
        }
      }
    };
    switch (this.style) {
      case 'sdk':
        http({
          count: 'http_requests_total',
          hist: 'http_request_duration_seconds',
          route: 'route',
          status: 'status',
          method: 'method',
        });
        add('process_cpu_seconds_total', 'counter', this.inc('cpu', dtS * (0.2 + 0.3 * this.rand())));
        add('process_resident_memory_bytes', 'gauge', 80e6 + 20e6 * this.rand());
        add('nodejs_heap_size_used_bytes', 'gauge', 30e6 + 10e6 * this.rand());
        add('nodejs_eventloop_lag_seconds', 'gauge', 0.002 + 0.01 * this.rand());
        add('nodejs_gc_duration_seconds_sum', 'histogram', this.inc('gcs', dtS * 0.01 * this.rand()), {
          kind: 'minor',
        });
        add('nodejs_gc_duration_seconds_count', 'histogram', this.inc('gcc', 3), { kind: 'minor' });
        add('nodejs_gc_duration_seconds_bucket', 'histogram', this.inc('gcb', 3), {
          kind: 'minor',
          le: '+Inf',
        });
        add('orders_total', 'counter', this.inc('orders', Math.round(dtS * 3 * this.rand())), {
          status: XSS,
        });
        add('queue_depth', 'gauge', Math.round(50 * this.rand()), { queue: 'emails' });
        break;
      case 'go':
        http({ count: 'http_requests_total', hist: '', route: 'path', status: 'status', method: 'method' });
        add('go_goroutines', 'gauge', Math.round(40 + 20 * this.rand()));
        add('go_memory_heap_bytes', 'gauge', 12e6 + 4e6 * this.rand());
        add('go_gc_count', 'counter', this.inc('gc', Math.round(dtS / 5)));
        break;
      case 'otel':
        http({
          count: '',
          hist: 'http_server_request_duration_seconds',
          route: 'http_route',
          status: 'http_response_status_code',
          method: 'http_request_method',
        });
        break;
      case 'small':
        for (let i = 0; i < 10; i++) {
          if (i % 2 === 0) add(`app_metric_${i}`, 'gauge', 100 * this.rand() + i);
          else add(`app_events_${i}_total`, 'counter', this.inc(`e${i}`, Math.round(dtS * 10 * this.rand())));
        }
        break;
    }
    return out;
  }
}

/** Pushes points through `POST /v1/ingest` in batches; throws on any non-2xx. */
export async function ingest(base: string, points: Point[]): Promise<void> {
  for (let i = 0; i < points.length; i += 20_000) {
    const res = await fetch(`${base}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: points.slice(i, i + 20_000) }),
    });
    if (!res.ok) throw new Error(`ingest: HTTP ${res.status}: ${await res.text()}`);
  }
}

/** `minutes` of history every `everyS` seconds up to now for each service. */
export async function backfill(
  base: string,
  sims: ServiceSim[],
  minutes: number,
  everyS = 15,
): Promise<number> {
  const now = Date.now();
  const points: Point[] = [];
  for (let t = now - minutes * 60_000; t <= now; t += everyS * 1000) {
    for (const s of sims) points.push(...s.push(t, everyS));
  }
  await ingest(base, points);
  return now;
}

/**
 * Pushes the samples `sims` would have sent since `since` (the time of their last push, as
 * {@link backfill} returns it), every `everyS` seconds up to now; returns the time of the last one.
 * For a test that queries "now" a while after the backfill: on a slow machine a minute can pass.
 */
export async function catchUp(base: string, sims: ServiceSim[], since: number, everyS = 15): Promise<number> {
  const points: Point[] = [];
  let last = since;
  for (let t = since + everyS * 1000; t <= Date.now(); t += everyS * 1000) {
    for (const s of sims) points.push(...s.push(t, everyS));
    last = t;
  }
  if (points.length > 0) await ingest(base, points);
  return last;
}
