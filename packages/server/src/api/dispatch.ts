/**
 * The entry of every HTTP request: the checks that apply to all routes, in order, then the route.
 * 1. `Host` must be one the server answers to (DNS rebinding), except for health probes;
 * 2. CORS headers only for `--cors-origin` (a preflight from such an origin is answered here);
 * 3. the route (404/405 otherwise);
 * 4. pushes from a browser page of a foreign origin are refused;
 * 5. the route's key (write, read or none);
 * 6. the handler. Errors become statuses through the one table in api/errors.ts.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorizer } from '../http/auth.js';
import type { CorsPolicy } from '../http/cors.js';
import { RequestError } from '../http/errors.js';
import type { HostPolicy } from '../http/host.js';
import type { Logger } from '../log.js';
import { reasonOf, statusOf } from './errors.js';
import { sendJson } from './http.js';
import type { Router } from './router.js';

export interface DispatchDeps {
  readonly router: Router;
  readonly hosts: HostPolicy;
  readonly cors: CorsPolicy;
  readonly auth: Authorizer;
  readonly log: Logger;
  /** Called when a request is answered, with the route pattern (or `unmatched`) and seconds taken. */
  readonly observe: (pattern: string, status: number, seconds: number) => void;
}

export function createDispatcher(
  deps: DispatchDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { router, hosts, cors, auth, log } = deps;
  return async (req, res) => {
    const begin = performance.now();
    let pattern = 'unmatched';
    try {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = router.match(method, url.pathname);
      if (match === null || 'allowed' in match || match.access !== 'public') hosts.check(req.headers.host);
      if (cors.apply(method, req.headers, res)) return;
      if (match === null)
        throw new RequestError('not_found', `cannot ${method} ${url.pathname}: no such endpoint`);
      if ('allowed' in match) {
        res.setHeader('allow', match.allowed.join(', '));
        throw new RequestError(
          'method_not_allowed',
          `cannot ${method} ${url.pathname}: allowed methods are ${match.allowed.join(', ')}`,
        );
      }
      pattern = match.pattern;
      if (match.access === 'write') cors.checkWrite(req.headers);
      try {
        auth.check(match.access, req.headers.authorization);
      } catch (err) {
        if (match.access === 'read')
          res.setHeader('www-authenticate', 'Basic realm="tinyobs", charset="UTF-8"');
        throw err;
      }
      await match.handler({ req, res, url, params: match.params });
    } catch (err) {
      const status = statusOf(err);
      if (status >= 500) log.error('request failed', { method: req.method, url: req.url, err });
      // Whatever the client has not sent of its body is not wanted: drain what arrives until the
      // answer is out, then close rather than read more.
      const headers: Record<string, string> = {};
      if (!req.complete) {
        req.resume();
        headers.connection = 'close';
      }
      if (!res.headersSent)
        sendJson(res, status, { error: reasonOf(status), message: (err as Error).message }, headers);
      else res.destroy();
    } finally {
      deps.observe(pattern, res.statusCode, (performance.now() - begin) / 1000);
    }
  };
}
