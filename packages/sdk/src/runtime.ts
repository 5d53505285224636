/**
 * Runtime metrics for Node.js under the names of prom-client's `collectDefaultMetrics()`, so
 * that existing Grafana dashboards for Node work unchanged: process CPU, memory and file
 * descriptors, event-loop lag and its percentiles, heap and heap spaces, GC duration by kind,
 * active handles, requests and resources, and `nodejs_version_info`.
 *
 * @example
 * import { collectRuntimeMetrics } from '@tinyobs/sdk/runtime';
 * const stop = collectRuntimeMetrics(obs);
 * @packageDocumentation
 */
import type { TinyObs } from './client.js';
import { GC_BUCKETS, nodeMetrics } from './runtime/node.js';
import { processMetrics } from './runtime/process.js';

export { GC_BUCKETS };

/** Options of {@link collectRuntimeMetrics}. */
export interface RuntimeMetricsOptions {
  /** Sampling resolution of the event-loop delay monitor, in ms. Default 10. */
  eventLoopResolutionMs?: number;
  /** Buckets of `nodejs_gc_duration_seconds`. Default {@link GC_BUCKETS}. */
  gcBuckets?: readonly number[];
}

/**
 * Registers the runtime metrics on `obs`; they are read before every push. Returns a function
 * that stops the GC observer and the event-loop monitor and the reading (the instruments stay
 * registered with their last values).
 */
export function collectRuntimeMetrics(obs: TinyObs, opts: RuntimeMetricsOptions = {}): () => void {
  const readProcess = processMetrics(obs);
  const node = nodeMetrics(obs, {
    eventLoopResolutionMs: opts.eventLoopResolutionMs ?? 10,
    gcBuckets: opts.gcBuckets ?? GC_BUCKETS,
  });
  const remove = obs.addCollectHook(async () => {
    await Promise.all([readProcess(), node.collect()]);
  });
  return () => {
    remove();
    node.stop();
  };
}
