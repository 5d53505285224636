import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { TinyObs } from '../client.js';

/** Default buckets of `nodejs_gc_duration_seconds`, prom-client's. */
export const GC_BUCKETS: readonly number[] = [0.001, 0.01, 0.1, 1, 2, 5];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** nodejs_* metrics with prom-client's names; returns the collect hook and a stop function. */
export function nodeMetrics(
  obs: TinyObs,
  opts: { eventLoopResolutionMs: number; gcBuckets: readonly number[] },
): { collect: () => Promise<void>; stop: () => void } {
  const g = (name: string, help: string, unit?: string) =>
    obs.gauge({ name, help, ...(unit ? { unit } : {}) });
  const lag = g('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds', 'seconds');
  const lagStats = (['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const).map(
    (s) =>
      [
        s,
        g(`nodejs_eventloop_lag_${s}_seconds`, `The ${s} of the recorded event loop delays`, 'seconds'),
      ] as const,
  );
  const heapTotal = g('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes', 'bytes');
  const heapUsed = g('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes', 'bytes');
  const external = g('nodejs_external_memory_bytes', 'Node.js external memory size in bytes', 'bytes');
  const space = (kind: string) =>
    obs.gauge({
      name: `nodejs_heap_space_size_${kind}_bytes`,
      help: `Process heap space size ${kind} from Node.js in bytes`,
      unit: 'bytes',
      labelNames: ['space'],
    });
  const spaceTotal = space('total');
  const spaceUsed = space('used');
  const spaceAvailable = space('available');
  const typed = (name: string, help: string) => obs.gauge({ name, help, labelNames: ['type'] });
  const handles = typed('nodejs_active_handles', 'Number of active libuv handles grouped by handle type');
  const handlesTotal = g('nodejs_active_handles_total', 'Total number of active handles');
  const requests = typed('nodejs_active_requests', 'Number of active libuv requests grouped by request type');
  const requestsTotal = g('nodejs_active_requests_total', 'Total number of active requests');
  const resources = typed(
    'nodejs_active_resources',
    'Number of active resources that keep the event loop alive, by type',
  );
  const resourcesTotal = g('nodejs_active_resources_total', 'Total number of active resources');
  const [major, minor, patch] = process.versions.node.split('.');
  obs
    .gauge({
      name: 'nodejs_version_info',
      help: 'Node.js version info',
      labelNames: ['version', 'major', 'minor', 'patch'],
    })
    .set(1, { version: process.version, major: major ?? '', minor: minor ?? '', patch: patch ?? '' });

  const gc = obs.histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind',
    unit: 'seconds',
    labelNames: ['kind'],
    buckets: opts.gcBuckets,
  });
  const gcBound = new Map<number, ReturnType<typeof gc.bind>>();
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      let h = gcBound.get(kind);
      if (h === undefined) {
        h = gc.bind({ kind: GC_KINDS[kind] ?? 'unknown' });
        gcBound.set(kind, h);
      }
      h.observe(e.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });

  const delay = monitorEventLoopDelay({ resolution: opts.eventLoopResolutionMs });
  delay.enable();

  const seenHandles = new Set<string>();
  const seenRequests = new Set<string>();
  const seenResources = new Set<string>();
  const collect = async () => {
    const mem = process.memoryUsage();
    heapTotal.set(mem.heapTotal);
    heapUsed.set(mem.heapUsed);
    external.set(mem.external);
    for (const s of v8.getHeapSpaceStatistics()) {
      const name = s.space_name.replace(/_space$/, '');
      spaceTotal.set(s.space_size, { space: name });
      spaceUsed.set(s.space_used_size, { space: name });
      spaceAvailable.set(s.space_available_size, { space: name });
    }
    countByType(handles, handlesTotal, seenHandles, activeHandles());
    countByType(requests, requestsTotal, seenRequests, activeRequests());
    countByType(resources, resourcesTotal, seenResources, process.getActiveResourcesInfo());
    if (delay.count > 0) {
      const ns = (v: number) => (Number.isFinite(v) ? v / 1e9 : 0);
      const values = {
        min: delay.min,
        max: delay.max,
        mean: delay.mean,
        stddev: delay.stddev,
        p50: delay.percentile(50),
        p90: delay.percentile(90),
        p99: delay.percentile(99),
      };
      for (const [s, gauge] of lagStats) gauge.set(ns(values[s]));
      delay.reset();
    }
    // Like prom-client: how long a setImmediate waits right now.
    const start = process.hrtime.bigint();
    await new Promise((r) => setImmediate(r));
    lag.set(Number(process.hrtime.bigint() - start) / 1e9);
  };
  return {
    collect,
    stop: () => {
      observer.disconnect();
      delay.disable();
    },
  };
}

type TypedGauge = ReturnType<TinyObs['gauge']> & { set(value: number, labels: { type: string }): void };

function countByType(
  byType: TypedGauge,
  total: ReturnType<TinyObs['gauge']>,
  seen: Set<string>,
  types: readonly string[],
): void {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const t of counts.keys()) seen.add(t);
  // Types seen before but gone now must read 0, not their last count.
  for (const t of seen) byType.set(counts.get(t) ?? 0, { type: t });
  total.set(types.length);
}

// process._getActiveHandles() is undocumented but stable since Node 0.x; prom-client uses it.
function activeHandles(): string[] {
  const p = process as unknown as { _getActiveHandles?: () => object[] };
  return (p._getActiveHandles?.() ?? []).map((h) => h?.constructor?.name ?? 'unknown');
}

function activeRequests(): string[] {
  const p = process as unknown as { _getActiveRequests?: () => object[] };
  return (p._getActiveRequests?.() ?? []).map((h) => h?.constructor?.name ?? 'unknown');
}
