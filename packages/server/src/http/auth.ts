/**
 * API keys. Push endpoints need a write key and read endpoints a read key when such keys are
 * configured; a key comes as `Authorization: Bearer <key>` (the SDKs, remote write and OTLP
 * exporters can send one), `Authorization: Token <key>` (InfluxDB 2 clients) or as the password of basic auth (Prometheus scrape configs, browsers,
 * Grafana). Keys are compared in constant time: both sides are hashed to SHA-256 first, so neither
 * the length nor a common prefix of a key shows in the timing, and every key is compared.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RequestError } from './errors.js';

/** What a route needs: nothing (health probes), the read key, or the write key. */
export type Access = 'public' | 'read' | 'write';

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** A set of keys for one kind of access. */
export class KeySet {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  /** True when no key is configured: access is open. */
  get open(): boolean {
    return this.digests.length === 0;
  }

  /** True when `key` is one of the keys (constant time in the key's content). */
  has(key: string): boolean {
    const d = digest(key);
    let found = false;
    for (const k of this.digests) found = timingSafeEqual(k, d) || found;
    return found;
  }
}

/** Keys from flags plus key files (one key per line; blank lines and `#` comments skipped). */
export function loadKeys(keys: readonly string[], files: readonly string[], flag: string): string[] {
  const out = [...keys];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${flag} ${JSON.stringify(file)}: ${(err as Error).message}`);
    }
    for (const line of text.split('\n')) {
      const key = line.trim();
      if (key !== '' && !key.startsWith('#')) out.push(key);
    }
  }
  return out;
}

/** The key a request presents: a Bearer token or the basic-auth password; null without one. */
export function presentedKey(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const space = authorization.indexOf(' ');
  if (space < 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const rest = authorization.slice(space + 1).trim();
  // `Token <token>`: what InfluxDB 2 clients (Telegraf's influxdb_v2 output) send to /api/v2/write.
  if (scheme === 'bearer' || scheme === 'token') return rest;
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/** Checks the keys of requests: write keys for `write` routes, read keys for `read` routes. */
export class Authorizer {
  constructor(
    private readonly write: KeySet,
    private readonly read: KeySet,
  ) {}

  /** True when some route needs a key. */
  get enabled(): boolean {
    return !this.write.open || !this.read.open;
  }

  /** Throws a 401 {@link RequestError} unless the request may use a route of this access. */
  check(access: Access, authorization: string | undefined): void {
    if (access === 'public') return;
    const keys = access === 'write' ? this.write : this.read;
    if (keys.open) return;
    const key = presentedKey(authorization);
    const what = access === 'write' ? 'push' : 'read';
    const flag = access === 'write' ? '--write-key' : '--read-key';
    if (key === null) {
      throw new RequestError(
        'unauthorized',
        `cannot ${what}: this endpoint needs a ${access} key (${flag}); send "Authorization: Bearer <key>" or basic auth with the key as password`,
      );
    }
    if (!keys.has(key)) {
      throw new RequestError(
        'unauthorized',
        `cannot ${what}: the key sent is not a ${access} key of this server (${flag})`,
      );
    }
  }
}
