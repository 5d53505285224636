/** The route table of the server: which path goes to which stage. */

import { collectPushedFamilies } from '../exposition/collect.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from '../exposition/format.js';
import { influxProtocol } from '../ingest/influx/handler.js';
import { jsonProtocol } from '../ingest/json/handler.js';
import type { IngestLimits } from '../ingest/limits.js';
import { otlpProtocol } from '../ingest/otlp/handler.js';
import type { IngestProtocol } from '../ingest/protocol.js';
import { remoteWriteProtocol } from '../ingest/remotewrite/handler.js';
import type { IngestReporter } from '../ingest/report.js';
import { DeltaState } from '../ingest/series/delta.js';
import { lastStoredIn } from '../ingest/series/stored.js';
import type { Engine } from '../promql/engine/engine.js';
import type { TargetStats } from '../remote/target.js';
import { registerUpstreamRoutes, type Upstream } from '../remote/upstream.js';
import type { RuleManager } from '../rules/manager.js';
import type { StorageStats } from '../storage/stats.js';
import type { Appendable, Queryable } from '../storage/types.js';
import type { SelfRegistry } from '../telemetry/registry.js';
import { VERSION } from '../version.js';
import { sendJson, sendText } from './http.js';
import { registerIngest } from './ingest.js';
import { registerLiveRoute } from './live.js';
import { registerNativeQueryRoutes } from './native_query.js';
import { registerPrometheusApi } from './prom/routes.js';
import { registerRulesRoutes } from './prom/rules.js';
import { type RequestContext, Router } from './router.js';
import { loadDashboard, sendStatic } from './static.js';
import { registerStatsRoutes } from './stats.js';
import { registerTransferRoutes } from './transfer.js';

export interface RouteDeps {
  readonly store: Appendable & Queryable;
  readonly engine: Engine;
  readonly rules: RuleManager;
  readonly stats: () => StorageStats;
  /** Remote write forwarding, one entry per target (empty without targets). */
  readonly remoteWriteStats?: () => readonly TargetStats[];
  readonly limits: IngestLimits;
  readonly report: IngestReporter;
  readonly selfMetrics: SelfRegistry;
  readonly stalenessMs: number;
  /** The Pushgateway endpoint (ingest/pushgateway), opened by the server with its groups. */
  readonly pushgateway: IngestProtocol;
  /** OTLP: the instrumentation scope as `otel_scope_*` labels. */
  readonly otlpPromoteScopeMetadata: boolean;
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

  router.on('GET', '/v1/health', ({ res }) => sendJson(res, deps.isReady() ? 200 : 503, health()), 'public');
  router.on('GET', '/-/ready', ({ res }) => sendJson(res, deps.isReady() ? 200 : 503, health()), 'public');
  router.on('GET', '/-/healthy', ({ res }) => sendJson(res, 200, health()), 'public');

  const ingest = { appendable: deps.store, limits: deps.limits, report: deps.report };
  // Running totals built from deltas (OTLP delta sums, the Go SDK's delta histograms) continue
  // after a restart from the values last stored for their series.
  const seed = lastStoredIn(deps.store);
  registerIngest(router, 'POST', '/v1/ingest', jsonProtocol(new DeltaState({ seed })), ingest);
  registerIngest(router, 'POST', '/api/v1/write', remoteWriteProtocol, ingest);
  registerIngest(
    router,
    'POST',
    '/v1/metrics',
    otlpProtocol({ promoteScopeMetadata: deps.otlpPromoteScopeMetadata }, new DeltaState({ seed })),
    ingest,
  );
  registerIngest(router, 'POST', '/write', influxProtocol, ingest);
  registerIngest(router, 'POST', '/api/v2/write', influxProtocol, ingest);
  registerIngest(router, ['PUT', 'POST', 'DELETE'], '/metrics/*', deps.pushgateway, ingest);

  registerNativeQueryRoutes(router, deps.engine, deps.store);
  registerStatsRoutes(router, deps.stats, deps.startedAt, deps.remoteWriteStats);
  registerTransferRoutes(router, deps.store, ingest);
  if (deps.upstream !== null) registerUpstreamRoutes(router, deps.upstream);
  registerPrometheusApi(router, deps.engine, deps.store, deps.startedAt);
  registerRulesRoutes(router, deps.rules);
  registerLiveRoute(router, deps.engine, deps.store, deps.isReady);

  router.on('GET', '/metrics', ({ res }) => {
    const pushed = collectPushedFamilies(deps.store, Date.now(), deps.stalenessMs);
    const own = deps.selfMetrics.collect();
    const ownNames = new Set(own.map((f) => f.name));
    // A pushed family that collides with one of the server's own names would make the output
    // invalid (two TYPE lines); the server's own wins.
    const families = [...pushed.filter((f) => !ownNames.has(f.name)), ...own];
    sendText(res, 200, renderExposition(families), EXPOSITION_CONTENT_TYPE);
  });

  // The dashboard when it was built (npm run build), else a page that says how to get it.
  let dashboard = loadDashboard();
  const serve = (path: string, { req, res }: RequestContext) => {
    dashboard ??= loadDashboard();
    if (dashboard !== null) sendStatic(dashboard, path, req, res);
    else sendText(res, path === '/index.html' ? 200 : 404, landingPage(), 'text/html; charset=utf-8');
  };
  router.on('GET', '/', (ctx) => serve('/index.html', ctx));
  router.on('GET', '/favicon.svg', (ctx) => serve('/favicon.svg', ctx));
  router.on('GET', '/favicon.ico', (ctx) => serve('/favicon.svg', ctx));
  router.on('GET', '/assets/:file', (ctx) => serve(`/assets/${ctx.params.file}`, ctx));
  return router;
}

/** Without a dashboard build, `/` says what is running and where to go. */
function landingPage(): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>TinyObs</title></head><body>
<h1>TinyObs ${VERSION}</h1>
<p>The server is running. The web dashboard was not built: run <code>npm run build</code>.</p>
<ul>
<li><code>POST /v1/ingest</code> — push metrics (native JSON)</li>
<li><a href="/metrics"><code>GET /metrics</code></a> — everything pushed, in Prometheus text format</li>
<li><a href="/v1/health"><code>GET /v1/health</code></a> — health, version and uptime</li>
<li><code>GET /api/v1/query?query=…</code> — PromQL through the Prometheus HTTP API (point Grafana here)</li>
</ul></body></html>`;
}
