/**
 * Every setting of the server in one table: its flag, environment variables, default, parser and
 * description. `--help` and the README's configuration table come from the same facts.
 * Precedence: flags win over environment variables, which win over defaults.
 */

import { availableParallelism } from 'node:os';
import { DEFAULT_INGEST_LIMITS } from '../ingest/limits.js';
import type { LogLevel } from '../log.js';
import type { FsyncPolicy } from '../tsdb/wal/wal.js';
import { parseBytesSetting, parseDurationSetting, parseIntSetting } from './units.js';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  logLevel: LogLevel;
  /** Series whose newest sample is older than this are left out of `GET /metrics`. */
  stalenessMs: number;
  /** How long a shutdown waits for in-flight requests before closing connections. */
  shutdownTimeoutMs: number;
  maxBodyBytes: number;
  maxSamplesPerRequest: number;
  maxLabelsPerSeries: number;
  maxNameLength: number;
  maxLabelValueLength: number;
  maxHelpLength: number;
  maxUnitLength: number;
  /** Keys that push endpoints accept (empty: pushes need no key). */
  writeKeys: string[];
  writeKeyFiles: string[];
  /** Keys that read endpoints accept (empty: reads need no key). */
  readKeys: string[];
  readKeyFiles: string[];
  /** Host names (besides loopback names and the bound address) the server answers to. */
  allowedHosts: string[];
  /** Origins that get CORS headers (empty: none). */
  corsOrigins: string[];
  headerTimeoutMs: number;
  bodyTimeoutMs: number;
  idleTimeoutMs: number;
  walFsync: FsyncPolicy;
  walFsyncIntervalMs: number;
  maxFutureMs: number;
  retentionRawMs: number;
  retention5mMs: number;
  retention1hMs: number;
  maxStorageBytes: number;
  maxSeries: number;
  maxSeriesPerMetric: number;
  persistIntervalMs: number;
  /** A Prometheus-compatible query endpoint the Prometheus API reads from ('' = local store). */
  queryUpstream: string;
  /** Remote write targets every ingested sample is forwarded to (see remote/config.ts). */
  remoteWriteUrls: string[];
  /** YAML/JSON file of remote write targets with headers, auth, matchers ('' = none). */
  remoteWriteConfig: string;
  /** Log data older than this is given up for a target that has not acknowledged it. */
  remoteWriteMaxLagMs: number;
  /** Rule file patterns (globs). */
  rules: string[];
  rulesEvalIntervalMs: number;
  alertWebhooks: string[];
  alertmanagerUrls: string[];
  alertGroupBy: string[];
  alertGroupWaitMs: number;
  alertGroupIntervalMs: number;
  alertRepeatIntervalMs: number;
  externalUrl: string;
  queryTimeoutMs: number;
  queryMaxSamples: number;
  queryMaxConcurrency: number;
  queryMaxQueued: number;
  /** UDP port of the StatsD/DogStatsD listener; -1 (the default) leaves it off. */
  statsdPort: number;
  statsdFlushIntervalMs: number;
  /** Pushgateway groups not pushed to for this long are removed (0: never). */
  pushgatewayTtlMs: number;
  /** OTLP: scope name, version, schema URL and attributes as `otel_scope_*` labels. */
  otlpPromoteScopeMetadata: boolean;
}

/** Thrown for an invalid setting; the message names the flag or variable and the rule. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

/** An environment variable of a setting; `parse` when its syntax differs from the flag's. */
type EnvVar<T> = string | { readonly name: string; readonly parse: (text: string) => T | { error: string } };

interface Setting<K extends keyof ServerConfig> {
  readonly key: K;
  readonly flag: string;
  readonly env: readonly EnvVar<ServerConfig[K]>[];
  /** How `--help` shows the default (the raw value when absent). */
  readonly show?: string;
  readonly default: ServerConfig[K];
  readonly doc: string;
  /** Returns the parsed value, or a string describing the rule that was broken. */
  readonly parse: (text: string) => ServerConfig[K] | { error: string };
  /**
   * A list: the flag may repeat and takes every following argument that is not an option
   * (`--rules a.yml b.yml`, as a shell expands a glob); the environment variable is comma-separated.
   */
  readonly list?: true;
}

type AnySetting = { [K in keyof ServerConfig]: Setting<K> }[keyof ServerConfig];

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function orError<T>(v: T | null, rule: string): T | { error: string } {
  return v === null ? { error: rule } : v;
}

const duration = (text: string) =>
  orError(parseDurationSetting(text), 'must be a duration such as 30s, 5m or 1h');
const bytes = (text: string) =>
  orError(parseBytesSetting(text), 'must be a size such as 1048576, 16MiB or 1GB');
const int = (min: number, max: number) => (text: string) =>
  orError(parseIntSetting(text, min, max), `must be an integer from ${min} to ${max}`);
const httpUrl = (text: string) => {
  try {
    const u = new URL(text);
    if (u.protocol === 'http:' || u.protocol === 'https:') return [text.replace(/\/+$/, '')];
  } catch {}
  return { error: 'must be an http:// or https:// URL' };
};
const bool = (text: string) =>
  text === 'true' ? true : text === 'false' ? false : { error: 'must be true or false' };
const words = (text: string) =>
  text.split(',').every((w) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(w.trim()) || w.trim() === '...')
    ? text.split(',').map((w) => w.trim())
    : { error: 'must be label names separated by commas' };
/** A comma-separated list, trimmed, empty items dropped. */
const list = (text: string): string[] =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
const GIB = 1024 ** 3;
const DAY = 86_400_000;
const FSYNC: readonly FsyncPolicy[] = ['always', 'interval', 'never'];

export const SETTINGS: readonly AnySetting[] = [
  {
    key: 'host',
    flag: '--host',
    env: ['TINYOBS_HOST'],
    default: '127.0.0.1',
    doc: 'address to listen on (0.0.0.0 for every interface)',
    parse: (t) => (t.trim() === '' ? { error: 'must not be empty' } : t.trim()),
  },
  {
    key: 'port',
    flag: '--port',
    env: ['TINYOBS_PORT', 'PORT'],
    default: 8080,
    doc: 'TCP port for HTTP (0 picks a free one)',
    parse: int(0, 65535),
  },
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: ['TINYOBS_DATA_DIR'],
    default: './data',
    doc: 'directory of the database',
    parse: (t) => (t.trim() === '' ? { error: 'must not be empty' } : t),
  },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: ['TINYOBS_LOG_LEVEL'],
    default: 'info',
    doc: 'debug, info, warn or error',
    parse: (t) =>
      LOG_LEVELS.includes(t as LogLevel)
        ? (t as LogLevel)
        : { error: `must be one of ${LOG_LEVELS.join(', ')}` },
  },
  {
    key: 'stalenessMs',
    flag: '--staleness',
    env: ['TINYOBS_STALENESS'],
    default: 5 * 60_000,
    show: '5m',
    doc: 'GET /metrics shows series pushed within this window',
    parse: duration,
  },
  {
    key: 'shutdownTimeoutMs',
    flag: '--shutdown-timeout',
    env: ['TINYOBS_SHUTDOWN_TIMEOUT'],
    default: 10_000,
    show: '10s',
    doc: 'how long SIGTERM waits for in-flight requests',
    parse: duration,
  },
  {
    key: 'maxBodyBytes',
    flag: '--max-body-size',
    env: ['TINYOBS_MAX_BODY_SIZE'],
    default: DEFAULT_INGEST_LIMITS.maxBodyBytes,
    show: '16MiB',
    doc: 'largest ingest request body as sent (413 above); 4x this after gzip',
    parse: bytes,
  },
  {
    key: 'maxSamplesPerRequest',
    flag: '--max-samples-per-request',
    // The second name is the original TinyObs' (its points are "metrics").
    env: ['TINYOBS_MAX_SAMPLES_PER_REQUEST', 'TINYOBS_MAX_METRICS_PER_REQUEST'],
    default: DEFAULT_INGEST_LIMITS.maxSamplesPerRequest,
    doc: 'most samples (points) in one ingest request, any protocol (413 above)',
    parse: int(1, 10_000_000),
  },
  {
    key: 'maxLabelsPerSeries',
    flag: '--max-labels-per-series',
    env: ['TINYOBS_MAX_LABELS_PER_SERIES'],
    default: DEFAULT_INGEST_LIMITS.maxLabelsPerSeries,
    doc: 'most labels on one series, besides the name',
    parse: int(1, 1000),
  },
  {
    key: 'maxNameLength',
    flag: '--max-name-length',
    env: ['TINYOBS_MAX_NAME_LENGTH'],
    default: DEFAULT_INGEST_LIMITS.maxNameLength,
    doc: 'longest metric or label name, in characters',
    parse: int(1, 65_536),
  },
  {
    key: 'maxLabelValueLength',
    flag: '--max-label-value-length',
    env: ['TINYOBS_MAX_LABEL_VALUE_LENGTH'],
    default: DEFAULT_INGEST_LIMITS.maxLabelValueLength,
    doc: 'longest label value, in characters',
    parse: int(1, 1_048_576),
  },
  {
    key: 'maxHelpLength',
    flag: '--max-help-length',
    env: ['TINYOBS_MAX_HELP_LENGTH'],
    default: DEFAULT_INGEST_LIMITS.maxHelpLength,
    doc: 'longest help text of a metric, in characters',
    parse: int(1, 1_048_576),
  },
  {
    key: 'maxUnitLength',
    flag: '--max-unit-length',
    env: ['TINYOBS_MAX_UNIT_LENGTH'],
    default: DEFAULT_INGEST_LIMITS.maxUnitLength,
    doc: 'longest unit of a metric, in characters',
    parse: int(1, 4096),
  },
  {
    key: 'writeKeys',
    flag: '--write-key',
    env: ['TINYOBS_WRITE_KEY'],
    default: [],
    show: 'none',
    doc: 'keys that push endpoints require (comma-separated; Bearer token or basic-auth password)',
    parse: list,
  },
  {
    key: 'writeKeyFiles',
    flag: '--write-key-file',
    env: ['TINYOBS_WRITE_KEY_FILE'],
    default: [],
    show: 'none',
    doc: 'files of write keys, one per line (comma-separated paths)',
    parse: list,
  },
  {
    key: 'readKeys',
    flag: '--read-key',
    env: ['TINYOBS_READ_KEY'],
    default: [],
    show: 'none',
    doc: 'keys that query, metadata, /metrics and dashboard endpoints require (comma-separated)',
    parse: list,
  },
  {
    key: 'readKeyFiles',
    flag: '--read-key-file',
    env: ['TINYOBS_READ_KEY_FILE'],
    default: [],
    show: 'none',
    doc: 'files of read keys, one per line (comma-separated paths)',
    parse: list,
  },
  {
    key: 'allowedHosts',
    flag: '--allowed-hosts',
    env: ['TINYOBS_ALLOWED_HOSTS'],
    default: [],
    show: 'none',
    doc: 'Host header names answered besides loopback names and the bound address (comma-separated; * for any)',
    parse: list,
  },
  {
    key: 'corsOrigins',
    flag: '--cors-origin',
    env: ['TINYOBS_CORS_ORIGIN'],
    default: [],
    show: 'none',
    doc: 'web origins allowed to call the API from a browser (comma-separated; * for any)',
    parse: list,
  },
  {
    key: 'headerTimeoutMs',
    flag: '--header-timeout',
    env: ['TINYOBS_HEADER_TIMEOUT'],
    default: 10_000,
    show: '10s',
    doc: 'how long a client may take to send the request headers',
    parse: duration,
  },
  {
    key: 'bodyTimeoutMs',
    flag: '--body-timeout',
    env: ['TINYOBS_BODY_TIMEOUT'],
    default: 60_000,
    show: '1m',
    doc: 'how long a client may take to send a whole request, body included (408 after)',
    parse: duration,
  },
  {
    key: 'idleTimeoutMs',
    flag: '--idle-timeout',
    env: ['TINYOBS_IDLE_TIMEOUT'],
    default: 65_000,
    show: '65s',
    doc: 'how long an idle keep-alive connection stays open',
    parse: duration,
  },
  {
    key: 'walFsync',
    flag: '--wal-fsync',
    env: ['TINYOBS_WAL_FSYNC'],
    default: 'interval',
    doc: 'when the write-ahead log is fsynced: always (before each ack), interval, never',
    parse: (t) =>
      FSYNC.includes(t as FsyncPolicy) ? (t as FsyncPolicy) : { error: `must be one of ${FSYNC.join(', ')}` },
  },
  {
    key: 'walFsyncIntervalMs',
    flag: '--wal-fsync-interval',
    env: ['TINYOBS_WAL_FSYNC_INTERVAL'],
    default: 1000,
    show: '1s',
    doc: 'period of --wal-fsync=interval (what a power cut can lose)',
    parse: duration,
  },
  {
    key: 'maxFutureMs',
    flag: '--max-future',
    env: ['TINYOBS_MAX_FUTURE'],
    default: 10 * 60_000,
    show: '10m',
    doc: "how far ahead of the server's clock a sample is accepted (later ones get 400)",
    parse: duration,
  },
  {
    key: 'retentionRawMs',
    flag: '--retention-raw',
    env: ['TINYOBS_RETENTION_RAW'],
    default: 15 * DAY,
    show: '15d',
    doc: 'how long raw samples are kept',
    parse: duration,
  },
  {
    key: 'retention5mMs',
    flag: '--retention-5m',
    env: ['TINYOBS_RETENTION_5M'],
    default: 90 * DAY,
    show: '90d',
    doc: 'how long the 5-minute downsampled tier is kept',
    parse: duration,
  },
  {
    key: 'retention1hMs',
    flag: '--retention-1h',
    env: ['TINYOBS_RETENTION_1H'],
    default: 365 * DAY,
    show: '365d',
    doc: 'how long the 1-hour downsampled tier is kept',
    parse: duration,
  },
  {
    key: 'maxStorageBytes',
    flag: '--max-storage',
    env: [
      'TINYOBS_MAX_STORAGE',
      {
        name: 'TINYOBS_MAX_STORAGE_GB',
        parse: (t) => {
          const gb = Number(t);
          return t.trim() !== '' && gb > 0
            ? Math.round(gb * GIB)
            : { error: 'must be a positive number of GiB' };
        },
      },
    ],
    default: GIB,
    show: '1GiB',
    doc: 'disk budget of the data directory; oldest data is deleted first (507 when nothing can be)',
    parse: bytes,
  },
  {
    key: 'persistIntervalMs',
    flag: '--persist-interval',
    env: ['TINYOBS_PERSIST_INTERVAL'],
    default: 3_600_000,
    show: '1h',
    doc: 'how often head chunks are written to disk and the log truncated (longer: fewer bytes per sample, longer replay)',
    parse: duration,
  },
  {
    key: 'maxSeries',
    flag: '--max-series',
    env: ['TINYOBS_MAX_SERIES'],
    default: 1_000_000,
    doc: 'most series in the database (0: no limit); new series beyond it get 429',
    parse: int(0, 1_000_000_000),
  },
  {
    key: 'maxSeriesPerMetric',
    flag: '--max-series-per-metric',
    env: ['TINYOBS_MAX_SERIES_PER_METRIC'],
    default: 100_000,
    doc: 'most series of one metric name (0: no limit); new series beyond it get 429',
    parse: int(0, 1_000_000_000),
  },
  {
    key: 'queryUpstream',
    flag: '--query-upstream',
    env: ['TINYOBS_QUERY_UPSTREAM'],
    default: '',
    show: 'none',
    doc: 'answer the Prometheus API from this Prometheus-compatible URL (VictoriaMetrics, Mimir, Thanos)',
    parse: (t) => {
      try {
        const u = new URL(t);
        return u.protocol === 'http:' || u.protocol === 'https:' ? t : { error: 'must be an http(s) URL' };
      } catch {
        return { error: 'must be an http(s) URL such as http://127.0.0.1:8428' };
      }
    },
  },
  {
    key: 'remoteWriteUrls',
    flag: '--remote-write-url',
    env: ['TINYOBS_REMOTE_WRITE_URL'],
    default: [],
    show: 'none',
    doc: 'forward every ingested sample to this remote write endpoint (repeatable; user:pass@ in the URL is basic auth)',
    parse: httpUrl,
    list: true,
  },
  {
    key: 'remoteWriteConfig',
    flag: '--remote-write-config',
    env: ['TINYOBS_REMOTE_WRITE_CONFIG'],
    default: '',
    show: 'none',
    doc: 'YAML/JSON file of remote_write targets with headers, basic_auth, bearer_token, match, shards, protobuf_message',
    parse: (t) => t,
  },
  {
    key: 'remoteWriteMaxLagMs',
    flag: '--remote-write-max-lag',
    env: ['TINYOBS_REMOTE_WRITE_MAX_LAG'],
    default: 2 * 3_600_000,
    show: '2h',
    doc: 'the log keeps unsent data for a remote write target this long; older is dropped and counted',
    parse: duration,
  },
  {
    key: 'rules',
    flag: '--rules',
    env: ['TINYOBS_RULES'],
    default: [],
    show: 'none',
    doc: 'rule files in Prometheus format (FILE…, globs); reloaded on SIGHUP and POST /-/reload',
    parse: (t) => (t.trim() === '' ? { error: 'must not be empty' } : [t]),
    list: true,
  },
  {
    key: 'rulesEvalIntervalMs',
    flag: '--rules-eval-interval',
    env: ['TINYOBS_RULES_EVAL_INTERVAL'],
    default: 60_000,
    show: '1m',
    doc: 'evaluation interval of rule groups that set none',
    parse: duration,
  },
  {
    key: 'alertWebhooks',
    flag: '--alert-webhook',
    env: ['TINYOBS_ALERT_WEBHOOK'],
    default: [],
    show: 'none',
    doc: 'URL receiving alerts as Alertmanager webhook payloads (repeatable)',
    parse: httpUrl,
    list: true,
  },
  {
    key: 'alertmanagerUrls',
    flag: '--alertmanager-url',
    env: ['TINYOBS_ALERTMANAGER_URL'],
    default: [],
    show: 'none',
    doc: 'Alertmanager to send alerts to through its v2 API (repeatable)',
    parse: httpUrl,
    list: true,
  },
  {
    key: 'alertGroupBy',
    flag: '--alert-group-by',
    env: ['TINYOBS_ALERT_GROUP_BY'],
    default: ['alertname'],
    show: 'alertname',
    doc: "webhook notifications: labels that group alerts into one notification ('...' for all)",
    parse: words,
  },
  {
    key: 'alertGroupWaitMs',
    flag: '--alert-group-wait',
    env: ['TINYOBS_ALERT_GROUP_WAIT'],
    default: 30_000,
    show: '30s',
    doc: 'webhook notifications: wait before the first notification of a new group',
    parse: duration,
  },
  {
    key: 'alertGroupIntervalMs',
    flag: '--alert-group-interval',
    env: ['TINYOBS_ALERT_GROUP_INTERVAL'],
    default: 5 * 60_000,
    show: '5m',
    doc: 'webhook notifications: wait before notifying about changes in a group',
    parse: duration,
  },
  {
    key: 'alertRepeatIntervalMs',
    flag: '--alert-repeat-interval',
    env: ['TINYOBS_ALERT_REPEAT_INTERVAL'],
    default: 4 * 3_600_000,
    show: '4h',
    doc: 'webhook notifications: wait before repeating an unchanged notification',
    parse: duration,
  },
  {
    key: 'externalUrl',
    flag: '--external-url',
    env: ['TINYOBS_EXTERNAL_URL'],
    default: '',
    show: 'the listen address',
    doc: "URL users reach the server at (alerts' generatorURL, $externalURL)",
    parse: (t) => {
      const r = httpUrl(t);
      return Array.isArray(r) ? r[0]! : r;
    },
  },
  {
    key: 'queryTimeoutMs',
    flag: '--query-timeout',
    env: ['TINYOBS_QUERY_TIMEOUT'],
    default: 120_000,
    show: '2m',
    doc: "longest a query may run (a request's `timeout` parameter can only shorten it)",
    parse: duration,
  },
  {
    key: 'queryMaxSamples',
    flag: '--query-max-samples',
    env: ['TINYOBS_QUERY_MAX_SAMPLES'],
    default: 50_000_000,
    doc: 'most samples a query may hold in memory (422 above, as Prometheus)',
    parse: int(1, 1_000_000_000),
  },
  {
    key: 'queryMaxConcurrency',
    flag: '--query-max-concurrency',
    env: ['TINYOBS_QUERY_MAX_CONCURRENCY'],
    default: availableParallelism(),
    show: 'number of cores',
    doc: 'queries evaluated at once; more wait in a queue',
    parse: int(1, 1000),
  },
  {
    key: 'queryMaxQueued',
    flag: '--query-max-queued',
    env: ['TINYOBS_QUERY_MAX_QUEUED'],
    default: 100,
    doc: 'queries waiting for a slot; more get 503 (a query also gets 503 when its timeout passes in the queue)',
    parse: int(0, 100_000),
  },
  {
    key: 'statsdPort',
    flag: '--statsd-port',
    env: ['TINYOBS_STATSD_PORT'],
    default: -1,
    show: 'off',
    doc: 'UDP port for StatsD/DogStatsD (on --host; 0 picks a free one); off unless set',
    parse: int(0, 65535),
  },
  {
    key: 'statsdFlushIntervalMs',
    flag: '--statsd-flush-interval',
    env: ['TINYOBS_STATSD_FLUSH_INTERVAL'],
    default: 10_000,
    show: '10s',
    doc: 'how often aggregated StatsD metrics are written',
    parse: duration,
  },
  {
    key: 'pushgatewayTtlMs',
    flag: '--pushgateway-ttl',
    env: ['TINYOBS_PUSHGATEWAY_TTL'],
    default: 24 * 3_600_000,
    show: '24h',
    doc: 'Pushgateway groups not pushed to for this long are removed (0: never)',
    parse: duration,
  },
  {
    key: 'otlpPromoteScopeMetadata',
    flag: '--otlp-promote-scope-metadata',
    env: ['TINYOBS_OTLP_PROMOTE_SCOPE_METADATA'],
    default: true,
    doc:
      'OTLP: add the instrumentation scope (meter) as otel_scope_name, otel_scope_version, ' +
      "otel_scope_schema_url and otel_scope_<attribute> labels (Prometheus' otlp.promote_scope_metadata)",
    parse: bool,
  },
];

/** The defaults of every setting. */
export function defaultConfig(): ServerConfig {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) out[s.key] = Array.isArray(s.default) ? [...s.default] : s.default;
  return out as unknown as ServerConfig;
}

/**
 * Resolves the configuration from flags (`--port 9090` or `--port=9090`) and environment
 * variables. Throws {@link ConfigError} naming the setting for an unknown flag or invalid value.
 */
export function resolveConfig(args: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  const byFlag = new Map(SETTINGS.map((s) => [s.flag, s]));
  for (const s of SETTINGS) {
    for (const v of s.env as readonly EnvVar<unknown>[]) {
      const name = typeof v === 'string' ? v : v.name;
      const text = env[name];
      if (text === undefined || text === '') continue;
      const parse = typeof v === 'string' ? s.parse : v.parse;
      config[s.key] = s.list
        ? text
            .split(',')
            .flatMap((part) => check(parse, part.trim(), `environment variable ${name}`) as unknown[])
        : check(parse, text, `environment variable ${name}`);
      break;
    }
  }
  const fromFlags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const s = byFlag.get(flag);
    if (s === undefined) throw new ConfigError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    const text = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (text === undefined) throw new ConfigError(`option ${flag} needs a value`);
    if (!s.list) {
      config[s.key] = check(s.parse, text, `option ${flag}`);
      continue;
    }
    // Flags replace the environment's list; repeated flags add to it.
    const list = fromFlags.has(s.key) ? (config[s.key] as unknown[]) : [];
    fromFlags.add(s.key);
    list.push(...(check(s.parse, text, `option ${flag}`) as unknown[]));
    while (eq < 0 && i + 1 < args.length && !args[i + 1]!.startsWith('-'))
      list.push(...(check(s.parse, args[++i]!, `option ${flag}`) as unknown[]));
    config[s.key] = list;
  }
  return config as unknown as ServerConfig;
}

function check(parse: (text: string) => unknown, text: string, where: string): unknown {
  const v = parse(text);
  if (typeof v === 'object' && v !== null && 'error' in v) {
    throw new ConfigError(`invalid ${where}=${JSON.stringify(text)}: ${v.error}`);
  }
  return v;
}

/**
 * The options part of `tinyobs serve --help`: every setting, then `extra` rows (e.g. `--help`),
 * in two columns. The left column is as wide as the longest flag, so no flag runs into its
 * description; descriptions wrap at `width` with continuation lines under the column.
 */
export function settingsHelp(extra: readonly (readonly [string, string])[] = [], width = 100): string {
  const rows: (readonly [string, string])[] = SETTINGS.map((s) => {
    const def = s.show ?? String(s.default);
    const envs = (s.env as readonly EnvVar<unknown>[]).map((v) => (typeof v === 'string' ? v : v.name));
    return [
      s.list ? `${s.flag} <value>…` : `${s.flag} <value>`,
      `${s.doc} [default ${def}; env ${envs.join(', ')}]`,
    ] as const;
  });
  return helpTable([...rows, ...extra], width);
}

/** Two columns, `  left  text`, the text wrapped at `width` (never narrower than 40 characters). */
export function helpTable(rows: readonly (readonly [string, string])[], width = 100): string {
  const column = 2 + Math.max(...rows.map(([left]) => left.length)) + 2;
  const room = Math.max(40, width - column);
  const indent = ' '.repeat(column);
  return rows
    .map(([left, text]) =>
      wrap(text, room)
        .map((line, i) => (i === 0 ? `  ${left}`.padEnd(column) : indent) + line)
        .join('\n'),
    )
    .join('\n');
}

function wrap(text: string, room: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}
