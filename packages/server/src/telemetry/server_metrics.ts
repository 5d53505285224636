/** The self-metrics every server instance exports, under the `tinyobs_` prefix. */

import type { EngineStats } from '../promql/engine/engine.js';
import { remoteWriteFamilies } from '../remote/metrics.js';
import type { TargetStats } from '../remote/target.js';
import type { StorageStats } from '../storage/stats.js';
import { SelfCounter, SelfHistogram, SelfRegistry, SelfSnapshot, valueFamily } from './registry.js';

export interface ServerMetrics {
  readonly registry: SelfRegistry;
  /** Samples stored, by protocol. */
  readonly ingestedSamples: SelfCounter<'protocol'>;
  /** Samples refused, by protocol and reason. */
  readonly rejectedSamples: SelfCounter<'protocol' | 'reason'>;
  /** HTTP request latency by route pattern and status code. */
  readonly httpDuration: SelfHistogram<'handler' | 'code'>;
}

export function createServerMetrics(
  stats: () => StorageStats,
  startedAt: number,
  remoteWrite: () => readonly TargetStats[] = () => [],
): ServerMetrics {
  const registry = new SelfRegistry();
  const metrics: ServerMetrics = {
    registry,
    ingestedSamples: registry.register(
      new SelfCounter('tinyobs_ingested_samples_total', 'Samples stored, by ingest protocol.', ['protocol']),
    ),
    rejectedSamples: registry.register(
      new SelfCounter(
        'tinyobs_rejected_samples_total',
        'Samples refused at ingest, by protocol and reason.',
        ['protocol', 'reason'],
      ),
    ),
    httpDuration: registry.register(
      new SelfHistogram(
        'tinyobs_http_request_duration_seconds',
        'HTTP request latency, by route and status code.',
        ['handler', 'code'],
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
    ),
  };
  registry.register(new SelfSnapshot(remoteWrite, remoteWriteFamilies));
  registry.register(
    new SelfSnapshot(stats, (s) => [
      valueFamily('tinyobs_active_series', 'gauge', 'Series held by the database.', s.series),
      valueFamily(
        'tinyobs_start_time_seconds',
        'gauge',
        'Start time of the server since the Unix epoch.',
        startedAt / 1000,
      ),
      valueFamily('tinyobs_tsdb_head_series', 'gauge', 'Series in the head of the database.', s.series),
      valueFamily(
        'tinyobs_tsdb_head_chunks',
        'gauge',
        'Chunks in memory, open or cut and not yet persisted.',
        s.head.chunks,
      ),
      valueFamily(
        'tinyobs_tsdb_head_samples',
        'gauge',
        'Samples in memory, not yet persisted.',
        s.samples.inHead,
      ),
      valueFamily(
        'tinyobs_tsdb_wal_size_bytes',
        'gauge',
        'Size of the write-ahead log on disk.',
        s.bytes.wal,
      ),
      valueFamily(
        'tinyobs_tsdb_storage_bytes',
        'gauge',
        'Bytes used by the data directory (chunks and log).',
        s.bytes.total,
      ),
      valueFamily(
        'tinyobs_tsdb_storage_budget_bytes',
        'gauge',
        'Size budget of the data directory.',
        s.bytes.budget,
      ),
      valueFamily(
        'tinyobs_tsdb_compactions_total',
        'counter',
        'Persistence runs (head chunks written to disk).',
        s.compactions.persists,
      ),
      valueFamily(
        'tinyobs_tsdb_downsample_windows_total',
        'counter',
        'Downsampling windows built (5m and 1h tiers).',
        s.compactions.downsampleWindows,
      ),
      valueFamily(
        'tinyobs_tsdb_budget_deletions_total',
        'counter',
        'Deletions of old data to stay within the size budget.',
        s.compactions.budgetDeletions,
      ),
      valueFamily(
        'tinyobs_tsdb_corruptions_total',
        'counter',
        'Write-ahead log tails cut at start because they were torn or corrupted.',
        s.corruptions.walCuts,
      ),
      valueFamily(
        'tinyobs_tsdb_out_of_order_samples_total',
        'counter',
        "Samples accepted older than their series' newest (late data within raw retention).",
        s.outOfOrder.accepted,
      ),
      valueFamily(
        'tinyobs_tsdb_out_of_order_rejected_samples_total',
        'counter',
        'Samples rejected as older than raw retention keeps or too far in the future.',
        s.rejected.tooOld + s.rejected.tooFarFuture,
      ),
    ]),
  );
  return metrics;
}

/** The query engine's gauges and counters (running, queued, canceled, timed out, refused). */
export function queryEngineCollector(stats: () => EngineStats): SelfSnapshot<EngineStats> {
  return new SelfSnapshot(stats, (s) => [
    valueFamily('tinyobs_queries_running', 'gauge', 'PromQL queries evaluating now.', s.running),
    valueFamily(
      'tinyobs_queries_queued',
      'gauge',
      'PromQL queries waiting for an evaluation slot.',
      s.queued,
    ),
    valueFamily(
      'tinyobs_queries_canceled_total',
      'counter',
      'PromQL queries stopped because the client went away.',
      s.canceled,
    ),
    valueFamily(
      'tinyobs_queries_timed_out_total',
      'counter',
      'PromQL queries stopped by their timeout.',
      s.timedOut,
    ),
    valueFamily(
      'tinyobs_queries_refused_total',
      'counter',
      'PromQL queries refused because the queue was full.',
      s.refused,
    ),
  ]);
}
