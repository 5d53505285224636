/**
 * Forwarding targets: `--remote-write-url URL` (repeatable; credentials in the URL become basic
 * auth) and `--remote-write-config FILE`, a YAML or JSON file in Prometheus' `remote_write` shape
 * for what a URL cannot say (headers, bearer token, which series to send, shards, batch size):
 *
 * ```yaml
 * remote_write:
 *   - url: http://vminsert:8480/insert/0/prometheus/api/v1/write
 *     name: vm                        # optional; names the target in stats and metrics
 *     headers: { X-Scope-OrgID: team-a }
 *     basic_auth: { username: u, password: p }   # or
 *     bearer_token: s3cr3t
 *     match: ['{job="api"}', 'up']    # send series matching any selector (default: all)
 *     shards: 4                       # requests in flight at once
 *     max_samples_per_send: 2000
 *     protobuf_message: auto          # or prometheus.WriteRequest (1.0), io.prometheus.write.v2.Request (2.0)
 * ```
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../config/settings.js';
import type { Matcher } from '../model/matcher.js';
import { parseMetricSelector } from '../promql/parser/parse.js';

/** One forwarding target, validated. */
export interface RemoteTarget {
  /** Stable id (from the URL and name): names the position file in the data directory. */
  readonly id: string;
  readonly name: string;
  /** The URL without credentials. */
  readonly url: string;
  /** Request headers (authorization included). */
  readonly headers: Readonly<Record<string, string>>;
  /** A series is sent when it matches every matcher of at least one selector; empty: all. */
  readonly match: readonly (readonly Matcher[])[];
  readonly shards: number;
  readonly maxSamplesPerSend: number;
  /**
   * Which remote write message to send: 1.0's `prometheus.WriteRequest`, 2.0's
   * `io.prometheus.write.v2.Request`, or `auto` (the default): 2.0 until the target shows it does
   * not speak it, then 1.0 (see target.ts).
   */
  readonly protobufMessage: ProtobufMessage;
}

export type ProtobufMessage = 'v1' | 'v2' | 'auto';

const MESSAGES: ReadonlyMap<unknown, ProtobufMessage> = new Map([
  ['prometheus.WriteRequest', 'v1'],
  ['io.prometheus.write.v2.Request', 'v2'],
  ['auto', 'auto'],
]);

/** Headers the remote write specification reserves for the sender (2.0: users must not set them). */
const RESERVED_HEADERS = new Set([
  'content-encoding',
  'content-type',
  'x-prometheus-remote-write-version',
  'user-agent',
]);

/** Thrown for an invalid target; the message names the target and the field. */
export class RemoteConfigError extends ConfigError {}

const KEYS = new Set([
  'url',
  'name',
  'headers',
  'basic_auth',
  'bearer_token',
  'match',
  'shards',
  'max_samples_per_send',
  'protobuf_message',
]);

/** The targets of the flags and the config file (file targets after the URL ones). */
export function loadTargets(urls: readonly string[], configFile: string): RemoteTarget[] {
  const raw: Record<string, unknown>[] = urls.map((url) => ({ url }));
  if (configFile !== '') {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(configFile, 'utf8'));
    } catch (err) {
      throw new RemoteConfigError(
        `cannot read --remote-write-config ${configFile}: ${(err as Error).message}`,
      );
    }
    const list = (doc as { remote_write?: unknown } | null)?.remote_write;
    if (!Array.isArray(list)) {
      throw new RemoteConfigError(
        `--remote-write-config ${configFile}: expected a remote_write: list of targets`,
      );
    }
    raw.push(...(list as Record<string, unknown>[]));
  }
  const out = raw.map((r, i) => parseTarget(r, `remote_write target ${i + 1}`));
  const ids = new Set<string>();
  for (const t of out) {
    if (ids.has(t.id))
      throw new RemoteConfigError(`remote_write target ${t.url} (${t.name}) is configured twice`);
    ids.add(t.id);
  }
  return out;
}

function parseTarget(r: Record<string, unknown>, where: string): RemoteTarget {
  if (typeof r !== 'object' || r === null) throw new RemoteConfigError(`${where}: must be a mapping`);
  for (const k of Object.keys(r))
    if (!KEYS.has(k)) throw new RemoteConfigError(`${where}: unknown field ${k}`);
  if (typeof r.url !== 'string') throw new RemoteConfigError(`${where}: url must be a string`);
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    throw new RemoteConfigError(`${where}: url ${JSON.stringify(r.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RemoteConfigError(`${where}: url must be http(s)`);
  const headers: Record<string, string> = {};
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null)
      throw new RemoteConfigError(`${where}: headers must be a mapping`);
    for (const [k, v] of Object.entries(r.headers)) {
      if (typeof v !== 'string') throw new RemoteConfigError(`${where}: header ${k} must be a string`);
      if (RESERVED_HEADERS.has(k.toLowerCase()))
        throw new RemoteConfigError(`${where}: header ${k} is set by the sender and cannot be configured`);
      headers[k.toLowerCase()] = v;
    }
  }
  if (url.username !== '' || url.password !== '') {
    const creds = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(creds).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const auth = r.basic_auth as { username?: unknown; password?: unknown } | undefined;
  if (auth !== undefined) {
    if (typeof auth?.username !== 'string' || typeof (auth.password ?? '') !== 'string')
      throw new RemoteConfigError(`${where}: basic_auth needs a username and a password (strings)`);
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  }
  if (r.bearer_token !== undefined) {
    if (typeof r.bearer_token !== 'string' || auth !== undefined)
      throw new RemoteConfigError(`${where}: bearer_token must be a string and excludes basic_auth`);
    headers.authorization = `Bearer ${r.bearer_token}`;
  }
  const selectors = r.match ?? [];
  if (!Array.isArray(selectors) || selectors.some((s) => typeof s !== 'string'))
    throw new RemoteConfigError(`${where}: match must be a list of series selectors`);
  const match = (selectors as string[]).map((s) => {
    try {
      return parseMetricSelector(s);
    } catch (err) {
      throw new RemoteConfigError(`${where}: match ${JSON.stringify(s)}: ${(err as Error).message}`);
    }
  });
  const name = r.name === undefined ? url.host : String(r.name);
  const protobufMessage = MESSAGES.get(r.protobuf_message ?? 'auto');
  if (protobufMessage === undefined)
    throw new RemoteConfigError(
      `${where}: protobuf_message must be one of ${[...MESSAGES.keys()].join(', ')}`,
    );
  return {
    id: createHash('sha256').update(`${url.href}\n${name}`).digest('hex').slice(0, 16),
    name,
    url: url.href,
    headers,
    match,
    shards: positiveInt(r.shards, 4, `${where}: shards`),
    maxSamplesPerSend: positiveInt(r.max_samples_per_send, 2000, `${where}: max_samples_per_send`),
    protobufMessage,
  };
}

function positiveInt(v: unknown, def: number, what: string): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100_000)
    throw new RemoteConfigError(`${what} must be an integer from 1 to 100000`);
  return v;
}
