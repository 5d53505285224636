/**
 * Fastify plugin: `http_requests_total`, `http_request_duration_seconds` by method, route
 * template (`request.routeOptions.url`) and status, and `http_requests_in_flight`.
 * Imports nothing from Fastify at run time.
 *
 * @example
 * await app.register(fastifyMetrics(obs));
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import type { TinyObs } from './client.js';
import { HttpMetrics, type HttpMetricsOptions, UNMATCHED_ROUTE } from './middleware/core.js';

export { UNMATCHED_ROUTE };

/** Options of {@link fastifyMetrics}. */
export type FastifyMetricsOptions = HttpMetricsOptions;

/** The parts of a Fastify request the plugin reads. */
interface FastifyRequestLike {
  raw: IncomingMessage;
  method: string;
  routeOptions?: { url?: string };
}

/** The parts of a Fastify reply the plugin reads. */
interface FastifyReplyLike {
  statusCode: number;
}

type HookDone = (err?: Error) => void;

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  addHook(
    name: 'onRequest',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: HookDone) => void,
  ): unknown;
  addHook(
    name: 'onResponse',
    hook: (req: FastifyRequestLike, reply: FastifyReplyLike, done: HookDone) => void,
  ): unknown;
}

/** A Fastify plugin function, marked so that its hooks apply to the whole application. */
export type FastifyMetricsPlugin = (instance: FastifyInstanceLike, opts: unknown, done: HookDone) => void;

/**
 * Returns a Fastify plugin; `await app.register(fastifyMetrics(obs))` before the routes.
 * Requests that matched no route (the 404 handler) are labelled `route="<unmatched>"`.
 */
export function fastifyMetrics(obs: TinyObs, opts: FastifyMetricsOptions = {}): FastifyMetricsPlugin {
  const metrics = new HttpMetrics(obs, opts);
  const starts = new WeakMap<IncomingMessage, number>();
  const plugin: FastifyMetricsPlugin = (instance, _opts, done) => {
    instance.addHook('onRequest', (req, _reply, next) => {
      starts.set(req.raw, metrics.start());
      next();
    });
    instance.addHook('onResponse', (req, reply, next) => {
      const start = starts.get(req.raw);
      if (start !== undefined) {
        starts.delete(req.raw);
        metrics.end(start, req.method, req.routeOptions?.url ?? UNMATCHED_ROUTE, reply.statusCode);
      }
      next();
    });
    done();
  };
  // fastify-plugin's marker: without it the hooks would only apply inside the plugin's own
  // encapsulated context, not to the routes of the application.
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  Object.defineProperty(plugin, Symbol.for('fastify.display-name'), { value: 'tinyobs-metrics' });
  return plugin;
}
