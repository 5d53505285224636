/**
 * Starting and stopping the server: opens the database, serves HTTP, and shuts down in order
 * (stop accepting, finish in-flight requests, close the database) on request.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createDispatcher } from './api/dispatch.js';
import type { RouteInfo } from './api/router.js';
import { buildRouter } from './api/routes.js';
import { ConfigError, type ServerConfig } from './config/settings.js';
import { Authorizer, KeySet, loadKeys } from './http/auth.js';
import { CorsPolicy } from './http/cors.js';
import { HostPolicy, isLoopbackHost } from './http/host.js';
import type { IngestLimits } from './ingest/limits.js';
import { openPushgateway } from './ingest/pushgateway/handler.js';
import type { IngestReporter } from './ingest/report.js';
import { type StatsdServer, startStatsd } from './ingest/statsd/server.js';
import type { Logger } from './log.js';
import { Engine } from './promql/engine/engine.js';
import { parseExpr } from './promql/parser/parse.js';
import { loadTargets } from './remote/config.js';
import { Forwarder } from './remote/forwarder.js';
import { parseUpstream } from './remote/upstream.js';
import type { RuleManager } from './rules/manager.js';
import { checkRuleFiles, createRuleManager } from './rules/setup.js';
import { createServerMetrics, queryEngineCollector } from './telemetry/server_metrics.js';
import { DB } from './tsdb/db.js';

export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly db: DB;
  readonly rules: RuleManager;
  /** Every route with the key it needs (for tests that check each one). */
  readonly routes: readonly RouteInfo[];
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
  let auth: Authorizer;
  try {
    auth = new Authorizer(
      new KeySet(loadKeys(config.writeKeys, config.writeKeyFiles, '--write-key-file')),
      new KeySet(loadKeys(config.readKeys, config.readKeyFiles, '--read-key-file')),
    );
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const db = await DB.open({
    dir: config.dataDir,
    walFsync: config.walFsync,
    walFsyncIntervalMs: config.walFsyncIntervalMs,
    maxFutureMs: config.maxFutureMs,
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
  const ingest = { appendable: db, limits, report };
  // Pushgateway groups of the last run are loaded (and written again) before anything listens.
  const pushgateway = await openPushgateway({
    ttlMs: config.pushgatewayTtlMs,
    file: join(config.dataDir, 'pushgateway.sqlite'),
    ctx: ingest,
    warn: (message) => log.warn(message),
  }).catch(async (err: unknown) => {
    await forwarder.stop();
    await db.close();
    throw err;
  });
  const engine = new Engine({
    parse: parseExpr,
    timeoutMs: config.queryTimeoutMs,
    maxSamples: config.queryMaxSamples,
    maxConcurrency: config.queryMaxConcurrency,
    maxQueued: config.queryMaxQueued,
  });
  metrics.registry.register(queryEngineCollector(() => engine.stats()));
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
    pushgateway: pushgateway.protocol,
    otlpPromoteScopeMetadata: config.otlpPromoteScopeMetadata,
    startedAt,
    isReady: () => ready,
    upstream: config.queryUpstream === '' ? null : parseUpstream(config.queryUpstream),
  });

  const handle = createDispatcher({
    router,
    hosts: new HostPolicy(config.host, config.allowedHosts),
    cors: new CorsPolicy(config.corsOrigins),
    auth,
    log,
    observe: (handler, code, seconds) =>
      metrics.httpDuration.observe({ handler, code: String(code) }, seconds),
  });
  const server = createServer(
    {
      keepAliveTimeout: config.idleTimeoutMs,
      // Node requires the headers timeout not to exceed the whole-request timeout.
      headersTimeout:
        config.bodyTimeoutMs > 0
          ? Math.min(config.headerTimeoutMs, config.bodyTimeoutMs)
          : config.headerTimeoutMs,
      requestTimeout: config.bodyTimeoutMs,
      // How often Node looks for requests past those timeouts (30 s by default: too coarse).
      connectionsCheckingInterval: Math.max(
        100,
        Math.min(1000, config.headerTimeoutMs / 4, (config.bodyTimeoutMs || 4000) / 4),
      ),
    },
    (req, res) => {
      void handle(req, res);
    },
  );
  // Every port is bound before the server answers anything, StatsD first: a start that fails
  // (a port in use) closes what it opened and says which port, instead of leaving HTTP up.
  let statsd: StatsdServer | null = null;
  try {
    if (config.statsdPort >= 0) {
      statsd = await startStatsd(db, {
        host: config.host,
        port: config.statsdPort,
        flushIntervalMs: config.statsdFlushIntervalMs,
        limits,
        report,
        warn: (message) => log.warn(message),
      }).catch((err: unknown) => {
        throw listenError(err, `for StatsD on UDP ${config.host}:${config.statsdPort}`, '--statsd-port');
      });
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      throw listenError(err, `on ${config.host}:${config.port}`, '--port');
    });
  } catch (err) {
    await statsd?.close();
    pushgateway.close();
    await rules.stop();
    await forwarder.stop();
    await db.close();
    throw err;
  }
  ready = true;
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const listenUrl = `http://${host}:${port}`;
  url ||= listenUrl;
  log.info('listening', { url: listenUrl, dataDir: config.dataDir });
  if (!isLoopbackHost(config.host) && !auth.enabled) {
    log.warn('listening beyond loopback without keys: anyone who can reach this address can push and read', {
      host: config.host,
      fix: 'set --write-key and --read-key (or their -file variants), or --host 127.0.0.1',
    });
  }
  if (config.rules.length > 0) await rules.load(config.rules);
  if (statsd !== null) log.info('statsd listening', { udp: `${host}:${statsd.port}` });

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
      await statsd?.close();
      pushgateway.close();
      await db.close();
      log.info('stopped');
    })();
    return closing;
  };
  return { url: listenUrl, port, db, rules, routes: router.list(), close };
}

/** A port that cannot be bound, as the setting that chose it (exit 2 with this message). */
function listenError(err: unknown, where: string, flag: string): Error {
  const code = (err as { code?: unknown }).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is in use'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EADDRNOTAVAIL'
          ? 'no such local address'
          : (err as Error).message;
  return new ConfigError(`cannot listen ${where}: ${why} (${flag})`);
}
