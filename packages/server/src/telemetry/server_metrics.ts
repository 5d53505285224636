/** The self-metrics every server instance exports, under the `tinyobs_` prefix. */

import { SelfCounter, SelfGauge, SelfHistogram, SelfRegistry } from './registry.js';

export interface ServerMetrics {
  readonly registry: SelfRegistry;
  /** Samples stored, by protocol. */
  readonly ingestedSamples: SelfCounter<'protocol'>;
  /** Samples refused, by protocol and reason. */
  readonly rejectedSamples: SelfCounter<'protocol' | 'reason'>;
  /** HTTP request latency by route pattern and status code. */
  readonly httpDuration: SelfHistogram<'handler' | 'code'>;
}

export function createServerMetrics(activeSeries: () => number, startedAt: number): ServerMetrics {
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
  registry.register(new SelfGauge('tinyobs_active_series', 'Series held by the database.', activeSeries));
  registry.register(
    new SelfGauge(
      'tinyobs_start_time_seconds',
      'Start time of the server since the Unix epoch.',
      () => startedAt / 1000,
    ),
  );
  return metrics;
}
