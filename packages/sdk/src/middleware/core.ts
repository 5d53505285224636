import type { TinyObs } from '../client.js';
import type { Counter } from '../counter.js';
import type { Gauge } from '../gauge.js';
import type { Histogram } from '../histogram.js';

/** The `route` label of requests that matched no route template. Never the raw URL. */
export const UNMATCHED_ROUTE = '<unmatched>';

/** Options every HTTP middleware accepts. */
export interface HttpMetricsOptions {
  /** Buckets of `http_request_duration_seconds`; defaults to the SDK's default buckets. */
  buckets?: readonly number[];
}

type HttpLabel = 'method' | 'route' | 'status';

// RFC 9110 methods and PATCH; anything else is `OTHER`, so a scanner sending random methods
// cannot create series.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** Returns the method label for `method`: upper-case if standard, `OTHER` otherwise. */
export function methodLabel(method: string | undefined): string {
  const m = (method ?? '').toUpperCase();
  return METHODS.has(m) ? m : 'OTHER';
}

/**
 * The instruments every adapter records into, so that node:http, Express and Fastify produce
 * identical series: `http_requests_total` and `http_request_duration_seconds` by method, route
 * and status, and `http_requests_in_flight`.
 */
export class HttpMetrics {
  private readonly requests: Counter<HttpLabel>;
  private readonly duration: Histogram<HttpLabel>;
  private readonly inFlight: Gauge;

  /** Defines the instruments on `obs`, or gets them when another adapter already did. */
  constructor(obs: TinyObs, opts: HttpMetricsOptions = {}) {
    this.requests = obs.counter({
      name: 'http_requests_total',
      help: 'HTTP requests served',
      labelNames: ['method', 'route', 'status'],
    });
    this.duration = obs.histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to serve an HTTP request',
      unit: 'seconds',
      labelNames: ['method', 'route', 'status'],
      ...(opts.buckets === undefined ? {} : { buckets: opts.buckets }),
    });
    this.inFlight = obs.gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being served' });
  }

  /** Call when a request arrives; returns its start time for {@link HttpMetrics.end}. */
  start(): number {
    this.inFlight.inc();
    return performance.now();
  }

  /** Call once when the response is finished (or the connection closed). */
  end(start: number, method: string | undefined, route: string | undefined, status: number): void {
    this.inFlight.dec();
    const labels = { method: methodLabel(method), route: route || UNMATCHED_ROUTE, status };
    this.requests.inc(labels);
    this.duration.observe((performance.now() - start) / 1000, labels);
  }
}
