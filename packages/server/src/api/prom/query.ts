/** `/api/v1/query`, `/query_range`, `/format_query` and `/parse_query`. */

import type { ServerResponse } from 'node:http';
import type { Engine, QueryOptions } from '../../promql/engine/engine.js';
import { checkFormattedSize, checkNesting } from '../../promql/engine/nesting.js';
import type { Expr } from '../../promql/parser/ast.js';
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

/**
 * The query's options from the request: its `timeout` parameter (the engine caps it with
 * `--query-timeout`), and a signal that aborts when the client goes away before the answer, so
 * that a closed connection stops the evaluation at its next yield.
 */
function queryOptions(form: URLSearchParams, res: ServerResponse): QueryOptions {
  const ms = durationParam(form, 'timeout');
  const ctl = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ctl.abort();
  });
  return ms === null ? { signal: ctl.signal } : { signal: ctl.signal, timeoutMs: Math.max(1, ms) };
}

/** Parses the query for the formatting routes, within the nesting limit. */
function parseChecked(query: string): Expr {
  const expr = parseExpr(query);
  checkNesting(expr);
  return expr;
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
      const r = await engine.instantQuery(store, q, t, queryOptions(form, res));
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
      const r = await engine.rangeQuery(store, q, start, end, step, queryOptions(form, res));
      respondSuccess(res, queryData(r.value), r.warnings, r.infos);
    }),
  );
  router.on(
    both,
    '/api/v1/format_query',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const q = queryText(form);
      const expr = parseChecked(q);
      checkFormattedSize(expr, q);
      respondSuccess(res, prettyExpr(expr));
    }),
  );
  router.on(
    both,
    '/api/v1/parse_query',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      respondSuccess(res, astToJson(parseChecked(queryText(form))));
    }),
  );
}
