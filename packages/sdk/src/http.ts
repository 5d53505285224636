/**
 * Metrics for plain `node:http` servers: `http_requests_total`,
 * `http_request_duration_seconds` by method, route template and status, and
 * `http_requests_in_flight`.
 *
 * @example
 * const server = http.createServer(
 *   instrumentHandler(obs, handler, { routes: ['/users/:id', '/orders'] }),
 * );
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TinyObs } from './client.js';
import { HttpMetrics, type HttpMetricsOptions, UNMATCHED_ROUTE } from './middleware/core.js';
import { RouteMatcher } from './middleware/route-match.js';

export { UNMATCHED_ROUTE };

/** Options of {@link instrumentHandler}. */
export interface NodeHttpMetricsOptions extends HttpMetricsOptions {
  /**
   * Route templates matched against the path, first match wins: `/users/:id`, `/static/*`, or
   * with a method, `GET /users/:id`, which matches only that method.
   */
  routes?: readonly string[];
  /** Returns the route template of a request; wins over `routes`. */
  route?: (req: IncomingMessage) => string | undefined;
}

const routeOf = new WeakMap<IncomingMessage, string>();

/**
 * Sets the route template of a request from inside a handler (e.g. a hand-written router);
 * wins over the `route` and `routes` options.
 */
export function setRoute(req: IncomingMessage, template: string): void {
  routeOf.set(req, template);
}

/**
 * Wraps a `node:http` request listener so that each request is counted and timed when its
 * response finishes. Requests that match no template are labelled `route="<unmatched>"`.
 */
export function instrumentHandler(
  obs: TinyObs,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  opts: NodeHttpMetricsOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const metrics = new HttpMetrics(obs, opts);
  const matcher = opts.routes === undefined ? undefined : new RouteMatcher(opts.routes);
  const resolve = (req: IncomingMessage): string => {
    const set = routeOf.get(req);
    if (set !== undefined) return set;
    const fromFn = opts.route?.(req);
    if (fromFn !== undefined) return fromFn;
    if (matcher !== undefined) {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      return matcher.match(req.method, q === -1 ? url : url.slice(0, q)) ?? UNMATCHED_ROUTE;
    }
    return UNMATCHED_ROUTE;
  };
  return (req, res) => {
    const start = metrics.start();
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      let route = UNMATCHED_ROUTE;
      try {
        route = resolve(req);
      } catch {
        // A throwing route function must not break the response; the request stays unmatched.
      }
      metrics.end(start, req.method, route, res.statusCode);
    };
    res.once('finish', end);
    res.once('close', end);
    handler(req, res);
  };
}
