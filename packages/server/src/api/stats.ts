/**
 * The original TinyObs status endpoints, from the database's statistics:
 * `GET /v1/stats` (everything), `GET /v1/storage` (bytes, budget, tiers) and
 * `GET /v1/cardinality?limit=N` (series, top metrics by series).
 */

import { RequestError } from '../http/errors.js';
import { remoteWriteStatsJson } from '../remote/metrics.js';
import type { TargetStats } from '../remote/target.js';
import type { StorageStats } from '../storage/stats.js';
import { sendJson } from './http.js';
import type { Router } from './router.js';

function storage(s: StorageStats) {
  return {
    bytes_used: s.bytes.total,
    bytes_budget: s.bytes.budget,
    used_percent: s.bytes.budget > 0 ? +((100 * s.bytes.total) / s.bytes.budget).toFixed(2) : 0,
    chunk_store_bytes: s.bytes.chunkStore,
    wal_bytes: s.bytes.wal,
    tiers: Object.fromEntries(
      Object.entries(s.tiers).map(([tier, t]) => [
        tier,
        {
          retention_seconds: t.retentionMs / 1000,
          rows: t.rows,
          samples: t.samples,
          done_until: t.doneUntil,
        },
      ]),
    ),
  };
}

export function registerStatsRoutes(
  router: Router,
  stats: () => StorageStats,
  startedAt: number,
  remoteWrite: () => readonly TargetStats[] = () => [],
): void {
  router.on('GET', '/v1/stats', ({ res }) => {
    const s = stats();
    sendJson(res, 200, {
      series: s.series,
      samples: s.samples.onDisk + s.samples.inHead,
      samples_in_memory: s.samples.inHead,
      samples_on_disk: s.samples.onDisk,
      samples_ingested_since_start: s.samples.appendedSinceOpen,
      bytes_used: s.bytes.total,
      bytes_budget: s.bytes.budget,
      uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
      remote_write: remoteWriteStatsJson(remoteWrite()),
      tsdb: s,
    });
  });
  router.on('GET', '/v1/storage', ({ res }) => sendJson(res, 200, storage(stats())));
  router.on('GET', '/v1/cardinality', ({ res, url }) => {
    const text = url.searchParams.get('limit');
    const limit = text === null ? 10 : Number(text);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RequestError('bad_request', `invalid limit ${JSON.stringify(text)}: a positive integer`);
    }
    const s = stats();
    sendJson(res, 200, {
      series: s.series,
      metrics: s.seriesByMetric.length,
      top_metrics: s.seriesByMetric.slice(0, limit).map((m) => ({ metric: m.metric, series: m.series })),
    });
  });
}
