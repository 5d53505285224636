import { hostname } from 'node:os';
import type { TinyObsError } from './errors.js';
import { configError } from './errors.js';
import { checkLabelName } from './names.js';

/** Options of {@link createTinyObs}. Only `service` is required. */
export interface TinyObsOptions {
  /** Name of the application; becomes the `service` label of every series. */
  service: string;
  /**
   * The TinyObs server: its ingest URL, or its address alone (`http://127.0.0.1:8080`), to
   * which `/v1/ingest` is added. Default: the `TINYOBS_ENDPOINT` environment variable, else
   * `http://localhost:8080/v1/ingest`.
   */
  endpoint?: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Push period in ms; `0` disables the timer (push only on `flush()`). Default 5 000. */
  flushIntervalMs?: number;
  /** Labels added to every series, e.g. `{ env: 'dev' }`. */
  defaultLabels?: Readonly<Record<string, string>>;
  /** The `instance` label; default the host name; `false` leaves it out. */
  instance?: string | false;
  /** Series cap per metric; further label sets go to one overflow series. Default 2 000. */
  maxSeriesPerMetric?: number;
  /** Bound on the compressed bytes waiting to be sent. Default 10 MiB. */
  maxQueueBytes?: number;
  /** Most points in one request (the server accepts 50 000). Default 10 000. */
  maxBatchPoints?: number;
  /** Most bytes of JSON in one request before compression (the server accepts 16 MiB). Default 4 MiB. */
  maxBatchBytes?: number;
  /** Per-request timeout in ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** How long `flush()` and `shutdown()` wait for the server, in ms. Default 10 000. */
  flushTimeoutMs?: number;
  /** First retry delay in ms, doubled per attempt. Default 200. */
  minBackoffMs?: number;
  /** Longest retry delay in ms. Default 5 000. */
  maxBackoffMs?: number;
  /** Longest `Retry-After` honoured, in ms. Default 60 000. */
  maxRetryAfterMs?: number;
  /** Gzip request bodies. Default true. */
  compress?: boolean;
  /**
   * Call `shutdown()` when the event loop empties (`beforeExit`), so a script that simply ends
   * still pushes its last values. Signals and `process.exit()` skip it: call `shutdown()` there.
   * Default true.
   */
  shutdownOnExit?: boolean;
  /**
   * On SIGINT (Ctrl-C) and SIGTERM, call `shutdown()`, then let the signal end the process as it
   * would have (unless the application listens to it too: then its own handler decides). A
   * second signal during the last push ends the process at once. Default false: an application
   * with its own signal handling should `await obs.shutdown()` there.
   */
  handleSignals?: boolean;
  /** Transport failures and rejections. Default: a warning once per error code. */
  onError?: (err: TinyObsError) => void;
  /** Warnings about dropped input. Default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** Options with every default applied. */
export type ResolvedOptions = Required<Omit<TinyObsOptions, 'apiKey' | 'onError' | 'instance'>> & {
  apiKey: string | undefined;
  instance: string | undefined;
  onError: ((err: TinyObsError) => void) | undefined;
  url: URL;
};

const MiB = 1024 * 1024;

/** Validates options and applies defaults; a wrong option throws `invalid_config`. */
export function resolveOptions(o: TinyObsOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') configError('cannot create client: options are required');
  if (typeof o.service !== 'string' || o.service.trim() === '') {
    configError('cannot create client: service must be a non-empty string');
  }
  const url = ingestUrl(o.endpoint);
  const defaultLabels = { ...(o.defaultLabels ?? {}) };
  for (const [k, v] of Object.entries(defaultLabels)) {
    checkLabelName('defaultLabels', k, new Set(['service', 'instance']));
    if (typeof v !== 'string') configError(`cannot create client: default label ${k} must be a string`);
  }
  if (o.apiKey !== undefined && typeof o.apiKey !== 'string')
    configError('cannot create client: apiKey must be a string');
  const instance = o.instance === false ? undefined : (o.instance ?? safeHostname());
  return {
    service: o.service,
    endpoint: url.href,
    url,
    apiKey: o.apiKey,
    flushIntervalMs: num('flushIntervalMs', o.flushIntervalMs, 5_000, 0),
    defaultLabels,
    instance,
    maxSeriesPerMetric: num('maxSeriesPerMetric', o.maxSeriesPerMetric, 2_000, 1),
    maxQueueBytes: num('maxQueueBytes', o.maxQueueBytes, 10 * MiB, 1),
    maxBatchPoints: num('maxBatchPoints', o.maxBatchPoints, 10_000, 1),
    maxBatchBytes: num('maxBatchBytes', o.maxBatchBytes, 4 * MiB, 256),
    requestTimeoutMs: num('requestTimeoutMs', o.requestTimeoutMs, 10_000, 1),
    flushTimeoutMs: num('flushTimeoutMs', o.flushTimeoutMs, 10_000, 1),
    minBackoffMs: num('minBackoffMs', o.minBackoffMs, 200, 1),
    maxBackoffMs: num('maxBackoffMs', o.maxBackoffMs, 5_000, 1),
    maxRetryAfterMs: num('maxRetryAfterMs', o.maxRetryAfterMs, 60_000, 0),
    compress: o.compress ?? true,
    shutdownOnExit: o.shutdownOnExit ?? true,
    handleSignals: o.handleSignals ?? false,
    onError: o.onError,
    onWarning: o.onWarning ?? ((m) => process.emitWarning(m, { type: 'TinyObsWarning' })),
  };
}

const DEFAULT_ENDPOINT = 'http://localhost:8080/v1/ingest';

// A server's address alone (path `/`) means its ingest route: `http://host:8080` answered
// `405 cannot POST /` before, which taught nothing.
function ingestUrl(option: string | undefined): URL {
  const fromEnv = process.env.TINYOBS_ENDPOINT;
  const endpoint = option ?? (fromEnv === undefined || fromEnv === '' ? DEFAULT_ENDPOINT : fromEnv);
  const where = option === undefined && endpoint !== DEFAULT_ENDPOINT ? 'TINYOBS_ENDPOINT' : 'endpoint';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    configError(
      `cannot create client: ${where} ${JSON.stringify(endpoint)} is not a URL (expected e.g. http://localhost:8080)`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    configError(`cannot create client: ${where} must be http or https, got ${url.protocol}`);
  }
  if (url.pathname === '/' && url.search === '') url.pathname = '/v1/ingest';
  return url;
}

function num(name: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    configError(`cannot create client: ${name} must be a number >= ${min}, got ${String(v)}`);
  }
  return v;
}

function safeHostname(): string | undefined {
  try {
    return hostname() || undefined;
  } catch {
    return undefined;
  }
}
