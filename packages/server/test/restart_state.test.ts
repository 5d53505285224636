/**
 * Ingest state that must survive a restart, tested by killing the real `tinyobs` process with
 * SIGKILL and starting it again on the same data directory:
 * - Pushgateway groups (kept in pushgateway.sqlite): re-exposed at once, a `PUT` still stales the
 *   series it replaces, the TTL still counts from the last push;
 * - OTLP delta sums and StatsD counters, histograms and `+`/`-` gauges (rebuilt from the values
 *   last stored): they go on from where they were, not from zero (a false counter reset).
 */

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import StatsD from 'hot-shots';
import { Gauge as PromGauge, Pushgateway, Registry } from 'prom-client';
import { waitFor } from './support/ports.js';
import { type ChildServer, spawnServer, tempDir } from './support/server.js';

type Result = { metric: Record<string, string>; value: [number, string] }[];

async function query(url: string, q: string): Promise<Result> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, await r.clone().text());
  return ((await r.json()) as { data: { result: Result } }).data.result;
}

async function value(url: string, q: string): Promise<number | undefined> {
  const r = await query(url, q);
  return r.length === 0 ? undefined : Number(r[0]!.value[1]);
}

/** Kills the server as a crash would, and waits for the process to be gone. */
async function crash(s: ChildServer): Promise<void> {
  s.child.kill('SIGKILL');
  assert.equal(await s.exited, 'SIGKILL');
}

/**
 * One flush of the original Go SDK's histogram `go_lat` with `n` observations in the 0.1 bucket:
 * per-flush deltas, no `+Inf` bucket, no temporality field (the server accumulates them).
 */
async function goSdkHistogram(url: string, n: number): Promise<void> {
  const point = (name: string, value: number, labels: Record<string, string> = {}) => ({
    name,
    type: 'histogram',
    value,
    labels: { service: 'go', ...labels },
    timestamp: '0001-01-01T00:00:00Z',
  });
  const r = await fetch(`${url}/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      metrics: [
        point('go_lat_bucket', n, { le: '0.1' }),
        point('go_lat_sum', n * 0.05),
        point('go_lat_count', n),
      ],
    }),
  });
  assert.ok(r.ok, await r.text());
}

/** A UDP port that was free a moment ago (the server is restarted on the same one). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('state that survives a restart', () => {
  it('Pushgateway groups: re-exposed after a crash, a PUT stales what it replaces, the TTL goes on', async () => {
    const dir = tempDir();
    const servers: ChildServer[] = [];
    const start = async (...args: string[]) => {
      const s = await spawnServer(['--data-dir', dir, ...args]);
      servers.push(s);
      return s;
    };
    try {
      const a = await start();
      const registry = new Registry();
      const g = (name: string, v: number) =>
        new PromGauge({ name, help: name, registers: [registry] }).set(v);
      g('pg_kept', 1);
      g('pg_replaced', 2);
      await new Pushgateway(a.url, {}, registry).push({ jobName: 'batch', groupings: { instance: 'x' } });
      await crash(a);

      const restartedAt = Date.now();
      const b = await start();
      // Written again at start: the newest sample is from this run, not the one before the crash.
      const ts = await value(b.url, 'timestamp(pg_kept{job="batch", instance="x"})');
      assert.ok(
        ts !== undefined && ts * 1000 >= restartedAt - 1000,
        `timestamp ${ts}, restart ${restartedAt}`,
      );
      const exposed = await (await fetch(`${b.url}/metrics`)).text();
      assert.match(exposed, /pg_kept\{[^}]*job="batch"[^}]*\} 1/);
      assert.match(exposed, /pg_replaced\{[^}]*job="batch"[^}]*\} 2/);

      // A PUT after the restart knows the group: the series it no longer carries are staled.
      const next = new Registry();
      new PromGauge({ name: 'pg_kept', help: 'pg_kept', registers: [next] }).set(3);
      await new Pushgateway(b.url, {}, next).push({ jobName: 'batch', groupings: { instance: 'x' } });
      assert.equal(await value(b.url, 'pg_kept{job="batch"}'), 3);
      assert.equal(await value(b.url, 'pg_replaced{job="batch"}'), undefined, 'replaced series is stale');
      await crash(b);

      // The TTL counts from the last push, across the restart: past it, the group is removed.
      await new Promise((r) => setTimeout(r, 1100));
      const c = await start('--pushgateway-ttl', '1s');
      assert.equal(await value(c.url, 'pg_kept{job="batch"}'), undefined, 'expired group is stale');
      assert.doesNotMatch(await (await fetch(`${c.url}/metrics`)).text(), /pg_kept/);
      await crash(c);
    } finally {
      for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) await crash(s);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("OTLP delta sums and the Go SDK's delta histograms go on from the stored total after a crash", async () => {
    const dir = tempDir();
    let server: ChildServer | null = null;
    const push = async (url: string, n: number) => {
      const exporter = new OTLPMetricExporter({
        url: `${url}/v1/metrics`,
        temporalityPreference: AggregationTemporalityPreference.DELTA,
      });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({ 'service.name': 'deltas' }),
        readers: [reader],
      });
      provider.getMeter('app').createCounter('jobs.done').add(n, { queue: 'q' });
      await provider.forceFlush();
      await provider.shutdown();
    };
    try {
      server = await spawnServer(['--data-dir', dir]);
      await push(server.url, 5);
      assert.equal(await value(server.url, 'jobs_done_total{job="deltas"}'), 5);
      await goSdkHistogram(server.url, 2);
      assert.equal(await value(server.url, 'go_lat_count{service="go"}'), 2);
      await crash(server);
      server = await spawnServer(['--data-dir', dir]);
      await new Promise((r) => setTimeout(r, 5)); // the next export ends at a later millisecond
      await push(server.url, 3);
      assert.equal(await value(server.url, 'jobs_done_total{job="deltas"}'), 8);
      await goSdkHistogram(server.url, 1);
      assert.equal(await value(server.url, 'go_lat_count{service="go"}'), 3);
      assert.equal(await value(server.url, 'go_lat_bucket{service="go", le="+Inf"}'), 3);
      assert.equal(await value(server.url, 'resets(jobs_done_total{job="deltas"}[10m])'), 0);
      await crash(server);
      server = null;
    } finally {
      if (server !== null) await crash(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('StatsD counters, timers and +/- gauges go on from the stored values after a crash', async () => {
    const dir = tempDir();
    const port = await freeUdpPort();
    const args = ['--data-dir', dir, '--statsd-port', String(port), '--statsd-flush-interval', '100ms'];
    let server: ChildServer | null = null;
    const send = async (
      lines: (c: InstanceType<typeof StatsD>, done: (err?: Error) => void) => void,
      count: number,
    ) => {
      const client = new StatsD({ host: '127.0.0.1', port, protocol: 'udp', maxBufferSize: 0 });
      await new Promise<void>((resolve, reject) => {
        let pending = count;
        lines(client, (err) => (err ? reject(err) : --pending === 0 && resolve()));
      });
      await new Promise<void>((r) => client.close(() => r()));
    };
    const expect = (url: string, q: string, v: number) =>
      waitFor(`${q} = ${v}`, async () => ((await value(url, q)) === v ? true : undefined), 10_000);
    try {
      server = await spawnServer(args);
      const first = server.url;
      await send((c, done) => {
        c.increment('sd.hits', 4, done);
        c.gauge('sd.depth', 10, done);
        c.timing('sd.lat', 5, done);
      }, 3);
      await expect(first, 'sd_hits_total', 4);
      await expect(first, 'sd_depth', 10);
      await expect(first, 'sd_lat_count', 1);
      await crash(server);
      server = await spawnServer(args);
      const second = server.url;
      await send((c, done) => {
        c.increment('sd.hits', 2, done);
        c.gaugeDelta('sd.depth', 5, done);
        c.timing('sd.lat', 50, done);
      }, 3);
      await expect(second, 'sd_hits_total', 6);
      await expect(second, 'sd_depth', 15);
      await expect(second, 'sd_lat_count', 2);
      assert.equal(await value(second, 'sd_lat_bucket{le="0.005"}'), 1);
      assert.equal(await value(second, 'sd_lat_sum'), 0.055);
      await crash(server);
      server = null;
    } finally {
      if (server !== null) await crash(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
