/** The route table of the server: which path goes to which stage. */

import { collectPushedFamilies } from '../exposition/collect.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from '../exposition/format.js';
import { jsonProtocol } from '../ingest/json/handler.js';
import type { IngestLimits } from '../ingest/limits.js';
import type { IngestReporter } from '../ingest/report.js';
import type { Engine } from '../promql/engine/engine.js';
import type { TargetStats } from '../remote/target.js';
import { registerUpstreamRoutes, type Upstream } from '../remote/upstream.js';
import type { RuleManager } from '../rules/manager.js';
import type { Appendable, Queryable } from '../storage/types.js';
import type { SelfRegistry } from '../telemetry/registry.js';
import type { DBStats } from '../tsdb/db_stats.js';
import { VERSION } from '../version.js';
import { sendJson, sendText } from './http.js';
import { ingestRoute } from './ingest.js';
import { registerNativeQueryRoutes } from './native_query.js';
import { registerPrometheusApi } from './prom/routes.js';
import { registerRulesRoutes } from './prom/rules.js';
import { Router } from './router.js';
import { registerStatsRoutes } from './stats.js';
import { registerTransferRoutes } from './transfer.js';

export interface RouteDeps {
  readonly store: Appendable & Queryable;
  readonly engine: Engine;
  readonly rules: RuleManager;
  readonly stats: () => DBStats;
  /** Remote write forwarding, one entry per target (empty without targets). */
  readonly remoteWriteStats?: () => readonly TargetStats[];
  readonly limits: IngestLimits;
  readonly report: IngestReporter;
  readonly selfMetrics: SelfRegistry;
  readonly stalenessMs: number;
  readonly startedAt: number;
  /** False while starting or shutting down: readiness probes get 503. */
  readonly isReady: () => boolean;
  /** With `--query-upstream`: the Prometheus API's reads go there instead of the local store. */
  readonly upstream: Upstream | null;
}

export function buildRouter(deps: RouteDeps): Router {
  const router = new Router();
  const health = () => ({
    status: deps.isReady() ? 'ok' : 'shutting_down',
    version: VERSION,
    uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
  });

  router.on('GET', '/v1/health', ({ res }) => sendJson(res, deps.isReady() ? 200 : 503, health()));
  router.on('GET', '/-/ready', ({ res }) => sendJson(res, deps.isReady() ? 200 : 503, health()));
  router.on('GET', '/-/healthy', ({ res }) => sendJson(res, 200, health()));

  const ingest = { appendable: deps.store, limits: deps.limits, report: deps.report };
  router.on('POST', '/v1/ingest', ingestRoute(jsonProtocol, ingest));

  registerNativeQueryRoutes(router, deps.engine, deps.store);
  registerStatsRoutes(router, deps.stats, deps.startedAt, deps.remoteWriteStats);
  registerTransferRoutes(router, deps.store, ingest);
  if (deps.upstream !== null) registerUpstreamRoutes(router, deps.upstream);
  registerPrometheusApi(router, deps.engine, deps.store, deps.startedAt);
  registerRulesRoutes(router, deps.rules);

  router.on('GET', '/metrics', ({ res }) => {
    const pushed = collectPushedFamilies(deps.store, Date.now(), deps.stalenessMs);
    const own = deps.selfMetrics.collect();
    const ownNames = new Set(own.map((f) => f.name));
    // A pushed family that collides with one of the server's own names would make the output
    // invalid (two TYPE lines); the server's own wins.
    const families = [...pushed.filter((f) => !ownNames.has(f.name)), ...own];
    sendText(res, 200, renderExposition(families), EXPOSITION_CONTENT_TYPE);
  });

  router.on('GET', '/', ({ res }) => sendText(res, 200, landingPage(), 'text/html; charset=utf-8'));
  return router;
}

/** Until the dashboard lands, `/` says what is running and where to go. */
function landingPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>TinyObs</title></head><body>
<h1>TinyObs ${VERSION}</h1>
<p>The server is running. The web dashboard is not part of this build yet.</p>
<ul>
<li><code>POST /v1/ingest</code> — push metrics (native JSON)</li>
<li><a href="/metrics"><code>GET /metrics</code></a> — everything pushed, in Prometheus text format</li>
<li><a href="/v1/health"><code>GET /v1/health</code></a> — health, version and uptime</li>
<li><code>GET /api/v1/query?query=…</code> — PromQL through the Prometheus HTTP API (point Grafana here)</li>
</ul></body></html>`;
}
