/** `/api/v1/query`, `/query_range`, `/format_query` and `/parse_query`. */

import type { Engine } from '../../promql/engine/engine.js';
import { parseExpr } from '../../promql/parser/parse.js';
import { prettyExpr } from '../../promql/parser/prettier.js';
import type { Queryable } from '../../storage/types.js';
import type { Handler, Router } from '../router.js';
import { astToJson } from './ast_json.js';
import { queryData } from './encode.js';
import { durationParam, readForm, requiredTimeParam, timeParam } from './params.js';
import { PromApiError, respondError, respondSuccess } from './respond.js';

function queryText(form: URLSearchParams): string {
  const q = form.get('query');
  if (q === null || q === '')
    throw new PromApiError('bad_data', 'invalid parameter "query": query must not be empty');
  return q;
}

/** A per-request deadline from the `timeout` parameter. */
function signalOf(form: URLSearchParams): AbortSignal | undefined {
  const ms = durationParam(form, 'timeout');
  return ms === null ? undefined : AbortSignal.timeout(Math.max(1, ms));
}

/** Wraps a handler so that any failure is answered in the Prometheus envelope. */
export function promHandler(fn: Handler): Handler {
  return async (ctx) => {
    try {
      await fn(ctx);
    } catch (err) {
      respondError(ctx.res, err);
    }
  };
}

export function registerQueryRoutes(router: Router, engine: Engine, store: Queryable): void {
  const both = ['GET', 'POST'];
  router.on(
    both,
    '/api/v1/query',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const q = queryText(form);
      const t = timeParam(form, 'time', Date.now());
      const signal = signalOf(form);
      const r = await engine.instantQuery(store, q, t, signal ? { signal } : {});
      respondSuccess(res, queryData(r.value), r.warnings, r.infos);
    }),
  );
  router.on(
    both,
    '/api/v1/query_range',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const q = queryText(form);
      const start = requiredTimeParam(form, 'start');
      const end = requiredTimeParam(form, 'end');
      const step = durationParam(form, 'step');
      if (step === null)
        throw new PromApiError('bad_data', 'invalid parameter "step": cannot parse "" to a valid duration');
      const signal = signalOf(form);
      const r = await engine.rangeQuery(store, q, start, end, step, signal ? { signal } : {});
      respondSuccess(res, queryData(r.value), r.warnings, r.infos);
    }),
  );
  router.on(
    both,
    '/api/v1/format_query',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      respondSuccess(res, prettyExpr(parseExpr(queryText(form))));
    }),
  );
  router.on(
    both,
    '/api/v1/parse_query',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      respondSuccess(res, astToJson(parseExpr(queryText(form))));
    }),
  );
}
