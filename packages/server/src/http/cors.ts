/**
 * Browsers: CORS headers only for the origins given with `--cors-origin`, and no writes from any
 * other web origin. A page on another origin can send a "simple" cross-site POST (form or
 * `text/plain` body, no preflight) whose answer it cannot read but whose data would be stored;
 * browsers mark such requests with an `Origin` header, which non-browser clients do not send.
 */

import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { RequestError } from './errors.js';

const ALLOWED_HEADERS = 'authorization, content-type, content-encoding';
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE';

export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: Set<string>;

  constructor(origins: readonly string[]) {
    this.any = origins.includes('*');
    this.origins = new Set(origins.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  }

  private allows(origin: string): boolean {
    return this.any || this.origins.has(origin.toLowerCase());
  }

  /** Adds CORS headers for an allowed origin; answers a preflight and returns true if it was one. */
  apply(method: string, headers: IncomingHttpHeaders, res: ServerResponse): boolean {
    const origin = headers.origin;
    if (origin === undefined || !this.allows(origin)) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    if (method !== 'OPTIONS' || headers['access-control-request-method'] === undefined) return false;
    res.writeHead(204, {
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
    });
    res.end();
    return true;
  }

  /**
   * Throws a 403 {@link RequestError} for a write from a browser page on an origin that is
   * neither this server's own nor one of `--cors-origin`.
   */
  checkWrite(headers: IncomingHttpHeaders): void {
    const origin = headers.origin;
    if (origin === undefined || this.allows(origin)) return;
    if (origin !== 'null' && headers.host !== undefined) {
      try {
        // Same origin (the page was served by this server): host and port must both match.
        if (new URL(origin).host === headers.host.trim().toLowerCase()) return;
      } catch {
        // Not a URL: refused below.
      }
    }
    throw new RequestError(
      'forbidden_origin',
      `cannot accept a push from the web page at ${JSON.stringify(origin)}: ` +
        'browsers may push only from origins given with --cors-origin',
    );
  }
}
