/**
 * Which `Host` headers the server answers to: the defence against DNS rebinding, where a web page
 * makes its own name resolve to 127.0.0.1 and then reads a local TinyObs as if it were its own
 * origin. Such a request carries the page's host name, which is none of: a loopback name or
 * address, the address the server is bound to (every local interface address when it is bound to
 * a wildcard), the machine's host name, or a name given with `--allowed-hosts`.
 */

import { hostname, networkInterfaces } from 'node:os';
import { RequestError } from './errors.js';

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/** True for `localhost`, `*.localhost` (RFC 6761), 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = normalise(host);
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    h === '::ffff:127.0.0.1'
  );
}

/** Lower case, without brackets or a trailing dot. */
function normalise(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** The host part of a `Host` header (`[::1]:8080` → `::1`, `example.com:80` → `example.com`). */
export function hostOfHeader(header: string): string {
  const h = header.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return normalise(end < 0 ? h : h.slice(0, end + 1));
  }
  const colon = h.indexOf(':');
  // More than one colon: an IPv6 address without brackets (not valid in Host, but harmless).
  return normalise(colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h);
}

export class HostPolicy {
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly any: boolean;

  /** `bound`: the `--host` the server listens on; `allowed`: `--allowed-hosts`. */
  constructor(bound: string, allowed: readonly string[]) {
    this.any = allowed.includes('*');
    for (const a of allowed) {
      if (a.startsWith('*.')) this.suffixes.push(normalise(a.slice(1)));
      else this.names.add(normalise(a));
    }
    if (!WILDCARDS.has(bound.trim())) this.names.add(normalise(bound));
    else {
      this.names.add(normalise(hostname()));
      for (const addrs of Object.values(networkInterfaces()))
        for (const a of addrs ?? []) this.names.add(normalise(a.address));
    }
  }

  /** Throws a 403 {@link RequestError} for a `Host` header the server does not answer to. */
  check(header: string | undefined): void {
    // HTTP/1.0 clients may omit Host; browsers never do, so a missing Host is no rebinding.
    if (header === undefined || this.any) return;
    const host = hostOfHeader(header);
    if (isLoopbackHost(host) || this.names.has(host)) return;
    for (const s of this.suffixes) if (host.endsWith(s)) return;
    throw new RequestError(
      'forbidden_host',
      `cannot serve Host ${JSON.stringify(header)}: not a name this server answers to ` +
        '(loopback names, the --host address, and --allowed-hosts); add it with --allowed-hosts',
    );
  }
}
