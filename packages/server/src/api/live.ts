/**
 * `GET|POST /api/v1/live`: a server-sent event stream of new points for a set of PromQL queries,
 * so a dashboard in live mode appends each new step instead of refetching its whole range.
 *
 * Parameters (query string or form body, like query_range): `query` (repeated, 1 to
 * {@link MAX_LIVE_QUERIES}), `step` (≥ 1s) and `start` (the first step wanted; default: the
 * current step). Every completed step from `start` on is evaluated once, on the same
 * step-aligned grid as query_range, and sent as one event:
 *
 * ```
 * event: points
 * data: {"start":1700000010,"end":1700000020,"step":10,"results":[{"result":[{metric,values}]},{"error":"…"}]}
 * ```
 *
 * Times are Unix seconds as in the Prometheus API; `results[i]` answers `query[i]`. A comment
 * line is sent every 15 s so proxies keep the connection open. The stream ends when the client
 * goes away or the server shuts down.
 */

import type { Engine } from '../promql/engine/engine.js';
import { parseExpr } from '../promql/parser/parse.js';
import type { Queryable } from '../storage/types.js';
import { queryData } from './prom/encode.js';
import { durationParam, readForm, timeParam } from './prom/params.js';
import { promHandler } from './prom/query.js';
import { PromApiError } from './prom/respond.js';
import type { Router } from './router.js';

export const MAX_LIVE_QUERIES = 50;
const MIN_STEP_MS = 1000;
/** At most this many steps per event, so a stale `start` cannot ask for an unbounded catch-up. */
const MAX_STEPS_PER_EVENT = 11_000;
const TICK_MS = 1000;
const HEARTBEAT_MS = 15_000;

export function registerLiveRoute(
  router: Router,
  engine: Engine,
  store: Queryable,
  isReady: () => boolean,
): void {
  router.on(
    ['GET', 'POST'],
    '/api/v1/live',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const queries = form.getAll('query');
      if (queries.length === 0 || queries.length > MAX_LIVE_QUERIES)
        throw new PromApiError(
          'bad_data',
          `invalid parameter "query": 1 to ${MAX_LIVE_QUERIES} queries per live stream (got ${queries.length})`,
        );
      queries.forEach((q, i) => {
        try {
          parseExpr(q);
        } catch (err) {
          throw new PromApiError(
            'bad_data',
            `invalid parameter "query" #${i + 1}: ${(err as Error).message}`,
          );
        }
      });
      const step = durationParam(form, 'step');
      if (step === null || step < MIN_STEP_MS)
        throw new PromApiError('bad_data', `invalid parameter "step": at least 1s (got ${form.get('step')})`);
      const now = Date.now();
      let next = timeParam(form, 'start', Math.floor(now / step) * step);
      next = Math.max(next, Math.floor(now / step) * step - (MAX_STEPS_PER_EVENT - 1) * step);

      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        // A stream is never reused for another request; closing the socket with it lets a
        // shutdown finish at once instead of waiting out the keep-alive.
        connection: 'close',
      });
      res.write(': live\n\n');

      let busy = false;
      let lastWrite = Date.now();
      const abort = new AbortController();
      const stop = () => {
        clearInterval(timer);
        abort.abort();
        if (!res.writableEnded) res.end();
      };
      const tick = async () => {
        if (!isReady()) return stop();
        if (busy || res.writableNeedDrain) return;
        const end = Math.floor(Date.now() / step) * step;
        if (end < next) {
          if (Date.now() - lastWrite >= HEARTBEAT_MS) {
            res.write(': ping\n\n');
            lastWrite = Date.now();
          }
          return;
        }
        busy = true;
        try {
          const results = [];
          for (const q of queries) {
            try {
              const r = await engine.rangeQuery(store, q, next, end, step, { signal: abort.signal });
              results.push({ result: (queryData(r.value) as { result: unknown }).result });
            } catch (err) {
              if (abort.signal.aborted) return;
              results.push({ error: (err as Error).message });
            }
          }
          const event = { start: next / 1000, end: end / 1000, step: step / 1000, results };
          res.write(`event: points\ndata: ${JSON.stringify(event)}\n\n`);
          lastWrite = Date.now();
          next = end + step;
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(), TICK_MS);
      req.on('close', stop);
      res.on('close', stop);
      await tick();
    }),
  );
}
