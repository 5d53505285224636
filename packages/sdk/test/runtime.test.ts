import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTinyObs, type MetricPoint } from '../src/index.js';
import { collectRuntimeMetrics } from '../src/runtime.js';

const value = (points: MetricPoint[], name: string, labels: Record<string, string> = {}) =>
  points.find((p) => p.name === name && Object.entries(labels).every(([k, v]) => p.labels[k] === v))?.value;

describe('runtime metrics', () => {
  it("reports prom-client's default metric names with plausible values", async () => {
    const obs = createTinyObs({
      service: 'rt',
      instance: false,
      flushIntervalMs: 0,
      shutdownOnExit: false,
      onWarning: () => {},
    });
    const stop = collectRuntimeMetrics(obs);
    try {
      // Make some garbage and some CPU work so that GC and CPU counters move.
      let keep: unknown[] = [];
      for (let i = 0; i < 200_000; i++) keep.push({ i, s: `x${i}` });
      keep = [];
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 50));
      // The event-loop delay statistics need one sample of the monitor; on a loaded machine the
      // first may come later than 50 ms.
      let points = await obs.collect();
      for (let i = 0; i < 40 && !points.some((p) => p.name === 'nodejs_eventloop_lag_p99_seconds'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        points = await obs.collect();
      }
      const names = new Set(points.map((p) => p.name));
      for (const n of [
        'process_cpu_user_seconds_total',
        'process_cpu_system_seconds_total',
        'process_cpu_seconds_total',
        'process_start_time_seconds',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_eventloop_lag_mean_seconds',
        'nodejs_heap_size_used_bytes',
        'nodejs_heap_size_total_bytes',
        'nodejs_external_memory_bytes',
        'nodejs_heap_space_size_used_bytes',
        'nodejs_active_handles_total',
        'nodejs_active_requests_total',
        'nodejs_active_resources_total',
        'nodejs_version_info',
        'nodejs_gc_duration_seconds_count',
      ]) {
        assert.ok(names.has(n), `missing ${n}`);
      }
      if (process.platform === 'linux') {
        for (const n of [
          'process_open_fds',
          'process_max_fds',
          'process_virtual_memory_bytes',
          'process_heap_bytes',
        ]) {
          assert.ok(names.has(n), `missing ${n}`);
        }
        assert.ok((value(points, 'process_open_fds') ?? 0) > 0);
      }
      assert.ok((value(points, 'process_cpu_seconds_total') ?? 0) > 0);
      assert.ok((value(points, 'process_resident_memory_bytes') ?? 0) > 10_000_000);
      assert.equal(value(points, 'nodejs_version_info', { version: process.version }), 1);
      assert.ok((value(points, 'nodejs_heap_space_size_used_bytes', { space: 'old' }) ?? 0) > 0);
      const gcCount = points
        .filter((p) => p.name === 'nodejs_gc_duration_seconds_count')
        .reduce((a, p) => a + p.value, 0);
      assert.ok(gcCount > 0, 'a GC was observed');
      const start = value(points, 'process_start_time_seconds') ?? 0;
      assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 2);
      // CPU counters are cumulative: a second collection never goes down.
      const cpu1 = value(points, 'process_cpu_seconds_total')!;
      const cpu2 = value(await obs.collect(), 'process_cpu_seconds_total')!;
      assert.ok(cpu2 >= cpu1);
    } finally {
      stop();
      await obs.shutdown({ timeoutMs: 1 }).catch(() => {});
    }
  });
});
