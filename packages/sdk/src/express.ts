/**
 * Express middleware: `http_requests_total`, `http_request_duration_seconds` by method, route
 * template (`req.baseUrl` + `req.route.path`) and status, and `http_requests_in_flight`.
 * Works with Express 4 and 5 and imports nothing from Express at run time.
 *
 * @example
 * app.use(expressMetrics(obs));
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TinyObs } from './client.js';
import { HttpMetrics, type HttpMetricsOptions, UNMATCHED_ROUTE } from './middleware/core.js';

export { UNMATCHED_ROUTE };

/** Options of {@link expressMetrics}. */
export type ExpressMetricsOptions = HttpMetricsOptions;

/** The parts of Express' request that the middleware reads (structural, so no import). */
interface ExpressRequestLike extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * Returns an Express middleware; register it before the routes (`app.use(expressMetrics(obs))`).
 * Requests that no route handled (404s, static files) are labelled `route="<unmatched>"`.
 */
export function expressMetrics(
  obs: TinyObs,
  opts: ExpressMetricsOptions = {},
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const metrics = new HttpMetrics(obs, opts);
  return (req, res, next) => {
    const start = metrics.start();
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      metrics.end(start, req.method, routeTemplate(req as ExpressRequestLike), res.statusCode);
    };
    res.once('finish', end);
    res.once('close', end);
    next();
  };
}

// Read at the end of the response: `req.route` is set when a route handler ran. `baseUrl` is
// the mount path of the router, so nested routers give their full template.
function routeTemplate(req: ExpressRequestLike): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  if (base === '') return path;
  return path === '/' ? base : base + path;
}
