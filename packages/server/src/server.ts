/**
 * Starting and stopping the server: opens the database, serves HTTP, and shuts down in order
 * (stop accepting, finish in-flight requests, close the database) on request.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reasonOf, statusOf } from './api/errors.js';
import { sendJson } from './api/http.js';
import { buildRouter } from './api/routes.js';
import type { ServerConfig } from './config/settings.js';
import { RequestError } from './http/errors.js';
import type { IngestLimits } from './ingest/limits.js';
import type { IngestReporter } from './ingest/report.js';
import type { Logger } from './log.js';
import { Engine } from './promql/engine/engine.js';
import { parseExpr } from './promql/parser/parse.js';
import { loadTargets } from './remote/config.js';
import { Forwarder } from './remote/forwarder.js';
import { parseUpstream } from './remote/upstream.js';
import type { RuleManager } from './rules/manager.js';
import { checkRuleFiles, createRuleManager } from './rules/setup.js';
import { createServerMetrics } from './telemetry/server_metrics.js';
import { DB } from './tsdb/db.js';

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly db: DB;
  readonly rules: RuleManager;
  /** Stops accepting, waits for in-flight requests (up to the shutdown timeout), closes the DB. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, log: Logger): Promise<RunningServer> {
  const startedAt = Date.now();
  // A bad rule file stops start-up before anything is opened.
  checkRuleFiles(config);
  const forwarder = new Forwarder(
    loadTargets(config.remoteWriteUrls, config.remoteWriteConfig),
    config.dataDir,
    config.remoteWriteMaxLagMs,
    log,
  );
  const db = await DB.open({
    dir: config.dataDir,
    walFsync: config.walFsync,
    walFsyncIntervalMs: config.walFsyncIntervalMs,
    oooWindowMs: config.oooWindowMs,
    retentionRawMs: config.retentionRawMs,
    retention5mMs: config.retention5mMs,
    retention1hMs: config.retention1hMs,
    maxStorageBytes: config.maxStorageBytes,
    maxSeries: config.maxSeries,
    maxSeriesPerMetric: config.maxSeriesPerMetric,
    persistIntervalMs: config.persistIntervalMs,
    warn: (message) => log.warn(message),
    walRetain: () => forwarder.walFloor(),
  });
  forwarder.start(db);
  const metrics = createServerMetrics(
    () => db.stats(),
    startedAt,
    () => forwarder.stats(),
  );
  let ready = false;

  const limits: IngestLimits = {
    maxBodyBytes: config.maxBodyBytes,
    maxDecompressedBytes: config.maxBodyBytes * 4,
    maxSamplesPerRequest: config.maxSamplesPerRequest,
    maxLabelsPerSeries: config.maxLabelsPerSeries,
    maxNameLength: config.maxNameLength,
    maxLabelValueLength: config.maxLabelValueLength,
    maxHelpLength: config.maxHelpLength,
    maxUnitLength: config.maxUnitLength,
    maxSeries: config.maxSeries,
    maxSeriesPerMetric: config.maxSeriesPerMetric,
  };
  const report: IngestReporter = (protocol, result, invalid) => {
    metrics.ingestedSamples.inc({ protocol }, result.appended);
    if (invalid > 0) metrics.rejectedSamples.inc({ protocol, reason: 'invalid' }, invalid);
    for (const [reason, n] of Object.entries(result.rejected)) {
      if (n) metrics.rejectedSamples.inc({ protocol, reason }, n);
    }
  };
  const engine = new Engine({ parse: parseExpr });
  let url = config.externalUrl;
  const rules = createRuleManager(config, { store: db, engine, log, externalURL: () => url });
  const router = buildRouter({
    store: db,
    stats: () => db.stats(),
    remoteWriteStats: () => forwarder.stats(),
    engine,
    rules,
    limits,
    report,
    selfMetrics: metrics.registry,
    stalenessMs: config.stalenessMs,
    startedAt,
    isReady: () => ready,
    upstream: config.queryUpstream === '' ? null : parseUpstream(config.queryUpstream),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const begin = performance.now();
    let pattern = 'unmatched';
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = router.match(req.method ?? 'GET', url.pathname);
      if (match === null)
        throw new RequestError('not_found', `cannot ${req.method} ${url.pathname}: no such endpoint`);
      if ('allowed' in match) {
        res.setHeader('allow', match.allowed.join(', '));
        throw new RequestError(
          'method_not_allowed',
          `cannot ${req.method} ${url.pathname}: allowed methods are ${match.allowed.join(', ')}`,
        );
      }
      pattern = match.pattern;
      await match.handler({ req, res, url, params: match.params });
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) log.error('request failed', { method: req.method, url: req.url, err });
      if (!res.headersSent)
        sendJson(res, status, { error: reasonOf(status), message: (err as Error).message });
      else res.destroy();
    } finally {
      metrics.httpDuration.observe(
        { handler: pattern, code: String(res.statusCode) },
        (performance.now() - begin) / 1000,
      );
    }
  };

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  ready = true;
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const listenUrl = `http://${host}:${port}`;
  url ||= listenUrl;
  log.info('listening', { url: listenUrl, dataDir: config.dataDir });
  if (config.rules.length > 0) await rules.load(config.rules);

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      ready = false;
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await drained;
      clearTimeout(timer);
      await rules.stop();
      await forwarder.stop();
      await db.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { url: listenUrl, port, db, rules, close };
}
