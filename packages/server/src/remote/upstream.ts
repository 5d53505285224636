/**
 * Query upstream: with `--query-upstream URL`, the Prometheus API's read endpoints answer from a
 * Prometheus-compatible query endpoint (VictoriaMetrics, vmselect, Mimir, Thanos query) instead
 * of the local store, so the dashboard and Grafana see the whole distributed history. Requests
 * and answers are streamed through unchanged: the upstream's own status codes, error envelopes
 * and warnings reach the client as they are.
 */

import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Router } from '../api/router.js';

/** The read endpoints that go upstream (writes and TinyObs' own endpoints stay local). */
export const UPSTREAM_PATHS: readonly string[] = [
  '/api/v1/query',
  '/api/v1/query_range',
  '/api/v1/series',
  '/api/v1/labels',
  '/api/v1/label/:name/values',
  '/api/v1/metadata',
  '/api/v1/query_exemplars',
];

/** Thrown when the upstream cannot be reached; mapped to 502. */
export class UpstreamError extends Error {
  readonly code = 'upstream_unavailable';
}

/** How long one upstream request may take before the client gets a 504-like 502. */
const UPSTREAM_TIMEOUT_MS = 120_000;

export interface Upstream {
  /** Base URL without credentials and without a trailing slash. */
  readonly base: string;
  readonly authorization: string | null;
}

/** Parses `--query-upstream`: credentials in the URL become a basic Authorization header. */
export function parseUpstream(raw: string): Upstream {
  const url = new URL(raw);
  let authorization: string | null = null;
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { base: url.toString().replace(/\/+$/, ''), authorization };
}

/** Registers the proxy routes; call before the local Prometheus API so these match first. */
export function registerUpstreamRoutes(router: Router, upstream: Upstream): void {
  for (const path of UPSTREAM_PATHS) {
    router.on(['GET', 'POST'], path, async ({ req, res, url }) => {
      const target = `${upstream.base}${url.pathname}${url.search}`;
      const headers: Record<string, string> = { accept: req.headers.accept ?? 'application/json' };
      const type = req.headers['content-type'];
      if (type !== undefined) headers['content-type'] = type;
      if (upstream.authorization !== null) headers.authorization = upstream.authorization;
      let answer: Response;
      try {
        answer = await fetch(target, {
          method: req.method,
          headers,
          body: req.method === 'POST' ? (Readable.toWeb(req as IncomingMessage) as ReadableStream) : null,
          duplex: 'half',
          signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
        });
      } catch (err) {
        const cause = (err as { cause?: Error }).cause?.message ?? (err as Error).message;
        throw new UpstreamError(`cannot query upstream ${upstream.base}: ${cause}`);
      }
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      if (answer.body === null) {
        res.end();
        return;
      }
      for await (const chunk of answer.body) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end();
    });
  }
}
