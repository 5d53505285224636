/** The forwarder's self-metrics in `GET /metrics` and `GET /v1/stats`, one row per target. */

import type { ExpositionFamily } from '../exposition/format.js';
import type { TargetStats } from './target.js';

const FAMILIES: readonly [string, 'gauge' | 'counter', string, (s: TargetStats) => number][] = [
  [
    'tinyobs_remote_write_pending_samples',
    'gauge',
    'Samples not yet acknowledged (in flight, and in the log estimated from its bytes).',
    (s) => s.pending,
  ],
  ['tinyobs_remote_write_sent_samples_total', 'counter', 'Samples the target acknowledged.', (s) => s.sent],
  [
    'tinyobs_remote_write_failed_requests_total',
    'counter',
    'Requests that failed and were retried (5xx, 429, network).',
    (s) => s.failed,
  ],
  [
    'tinyobs_remote_write_dropped_samples_total',
    'counter',
    'Samples given up: refused with a 4xx, or past the maximum lag.',
    (s) => s.dropped,
  ],
  [
    'tinyobs_remote_write_lag_seconds',
    'gauge',
    'Newest stored sample time minus newest acknowledged one (0 when caught up).',
    (s) => s.lagSeconds,
  ],
];

export function remoteWriteFamilies(targets: readonly TargetStats[]): ExpositionFamily[] {
  return FAMILIES.map(([name, type, help, value]) => ({
    name,
    type,
    help,
    samples: targets.map((t) => ({
      name,
      labels: [
        { name: 'target', value: t.name },
        { name: 'url', value: t.url },
      ],
      value: value(t),
    })),
  }));
}

/** The `remote_write` part of `GET /v1/stats`. */
export function remoteWriteStatsJson(targets: readonly TargetStats[]) {
  return targets.map((t) => ({
    name: t.name,
    url: t.url,
    pending_samples: t.pending,
    sent_samples: t.sent,
    failed_requests: t.failed,
    dropped_samples: t.dropped,
    lag_seconds: t.lagSeconds,
    wal_position: t.position,
    protobuf_message: t.protobufMessage,
  }));
}
