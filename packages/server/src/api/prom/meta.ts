/** `/api/v1/series`, `/labels`, `/label/<name>/values` and `/metadata`. */

import { type Labels, labelsCompare, labelsKey, METRIC_NAME } from '../../model/labels.js';
import type { Matcher } from '../../model/matcher.js';
import { isValidLabelName } from '../../model/names.js';
import type { Queryable } from '../../storage/types.js';
import type { Router } from '../router.js';
import { metricJson } from './encode.js';
import { limitParam, MAX_TIME, MIN_TIME, matchersParam, readForm, timeParam } from './params.js';
import { promHandler } from './query.js';
import { PromApiError, respondSuccess } from './respond.js';

/** Series matching any of the selectors in [mint, maxt], unique and sorted. */
function selectUnion(store: Queryable, sets: Matcher[][], mint: number, maxt: number): Labels[] {
  const q = store.querier(mint, maxt);
  try {
    const seen = new Map<string, Labels>();
    for (const ms of sets) {
      const set = q.select(ms, { start: mint, end: maxt, func: 'series' });
      while (set.next()) {
        const ls = set.at().labels;
        seen.set(labelsKey(ls), ls);
      }
      const err = set.err();
      if (err !== null) throw err;
    }
    return [...seen.values()].sort(labelsCompare);
  } finally {
    q.close();
  }
}

/** Union of `get` over each selector (or over everything when there is none), sorted and limited. */
function stringList(
  store: Queryable,
  form: URLSearchParams,
  get: (q: ReturnType<Queryable['querier']>, ms: Matcher[] | undefined) => string[],
): string[] {
  const sets = matchersParam(form, false);
  const mint = timeParam(form, 'start', MIN_TIME);
  const maxt = timeParam(form, 'end', MAX_TIME);
  const limit = limitParam(form);
  const q = store.querier(mint, maxt);
  try {
    const out = new Set<string>();
    for (const ms of sets.length === 0 ? [undefined] : sets) for (const v of get(q, ms)) out.add(v);
    const sorted = [...out].sort();
    return limit > 0 ? sorted.slice(0, limit) : sorted;
  } finally {
    q.close();
  }
}

export function registerMetaRoutes(router: Router, store: Queryable): void {
  const both = ['GET', 'POST'];
  router.on(
    both,
    '/api/v1/series',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const sets = matchersParam(form, true);
      const mint = timeParam(form, 'start', MIN_TIME);
      const maxt = timeParam(form, 'end', MAX_TIME);
      const limit = limitParam(form);
      const all = selectUnion(store, sets, mint, maxt);
      const warnings = limit > 0 && all.length > limit ? ['results truncated due to limit'] : [];
      respondSuccess(res, (limit > 0 ? all.slice(0, limit) : all).map(metricJson), warnings);
    }),
  );
  router.on(
    both,
    '/api/v1/labels',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      respondSuccess(
        res,
        stringList(store, form, (q, ms) => q.labelNames(ms)),
      );
    }),
  );
  router.on(
    'GET',
    '/api/v1/label/:name/values',
    promHandler(async ({ req, res, url, params }) => {
      const name = params.name!;
      if (name !== METRIC_NAME && !isValidLabelName(name)) {
        throw new PromApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
      }
      const form = await readForm(req, url);
      respondSuccess(
        res,
        stringList(store, form, (q, ms) => q.labelValues(name, ms)),
      );
    }),
  );
  router.on(
    'GET',
    '/api/v1/metadata',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const limit = limitParam(form);
      const metric = form.get('metric') || undefined;
      const q = store.querier(MIN_TIME, MAX_TIME);
      try {
        const all = q.metadata(metric);
        const out: Record<string, { type: string; help: string; unit: string }[]> = {};
        for (const name of [...all.keys()].sort()) {
          if (limit > 0 && Object.keys(out).length >= limit) break;
          const m = all.get(name)!;
          out[name] = [{ type: m.type, help: m.help, unit: m.unit }];
        }
        respondSuccess(res, out);
      } finally {
        q.close();
      }
    }),
  );
}
