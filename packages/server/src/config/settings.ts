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
  maxMetricsPerRequest: number;
  maxLabelsPerMetric: number;
  maxNameLength: number;
  maxLabelValueLength: number;
  walFsync: FsyncPolicy;
  walFsyncIntervalMs: number;
  oooWindowMs: number;
  retentionRawMs: number;
  retention5mMs: number;
  retention1hMs: number;
  maxStorageBytes: number;
  maxSeries: number;
  maxSeriesPerMetric: number;
  persistIntervalMs: number;
  queryTimeoutMs: number;
  queryMaxSamples: number;
  queryMaxConcurrency: number;
  queryMaxQueued: number;
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
    key: 'maxMetricsPerRequest',
    flag: '--max-metrics-per-request',
    env: ['TINYOBS_MAX_METRICS_PER_REQUEST'],
    default: DEFAULT_INGEST_LIMITS.maxMetricsPerRequest,
    doc: 'most points in one POST /v1/ingest',
    parse: int(1, 10_000_000),
  },
  {
    key: 'maxLabelsPerMetric',
    flag: '--max-labels-per-metric',
    env: ['TINYOBS_MAX_LABELS_PER_METRIC'],
    default: DEFAULT_INGEST_LIMITS.maxLabelsPerMetric,
    doc: 'most labels on one point (besides the name)',
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
    key: 'oooWindowMs',
    flag: '--ooo-window',
    env: ['TINYOBS_OOO_WINDOW'],
    default: 10 * 60_000,
    show: '10m',
    doc: "how far behind a series' newest sample a sample is still accepted",
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
    key: 'queryTimeoutMs',
    flag: '--query-timeout',
    env: ['TINYOBS_QUERY_TIMEOUT'],
    default: 120_000,
    show: '2m',
    doc: "longest a query may run (a request's timeout parameter can only shorten it)",
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
];

/** The defaults of every setting. */
export function defaultConfig(): ServerConfig {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) out[s.key] = s.default;
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
      config[s.key] = check(typeof v === 'string' ? s.parse : v.parse, text, `environment variable ${name}`);
      break;
    }
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const s = byFlag.get(flag);
    if (s === undefined) throw new ConfigError(`unknown option ${JSON.stringify(arg)} (see --help)`);
    const text = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (text === undefined) throw new ConfigError(`option ${flag} needs a value`);
    config[s.key] = check(s.parse, text, `option ${flag}`);
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

/** The options part of `tinyobs serve --help`. */
export function settingsHelp(): string {
  const rows = SETTINGS.map((s) => {
    const left = `  ${s.flag} <value>`;
    const def = s.show ?? String(s.default);
    const envs = (s.env as readonly EnvVar<unknown>[]).map((v) => (typeof v === 'string' ? v : v.name));
    return `${left.padEnd(34)}${s.doc} [default ${def}; env ${envs.join(', ')}]`;
  });
  return rows.join('\n');
}
