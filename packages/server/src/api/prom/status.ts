/**
 * `/api/v1/status/*` and the endpoints Grafana and the Prometheus UI probe that TinyObs answers
 * with empty data because it has no exemplars or scrape targets.
 */

import { labelsGet, METRIC_NAME } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import type { Queryable } from '../../storage/types.js';
import { VERSION } from '../../version.js';
import type { Router } from '../router.js';
import { MAX_TIME, MIN_TIME, readForm } from './params.js';
import { promHandler } from './query.js';
import { PromApiError, respondSuccess } from './respond.js';

const ANY_SERIES = [newMatcher('=~', METRIC_NAME, '.+')];

function top(counts: Map<string, number>, limit: number): { name: string; value: number }[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([name, value]) => ({ name, value }));
}

/** Cardinality statistics as Prometheus' TSDB status page shows them. */
export function tsdbStatus(store: Queryable, limit: number) {
  const q = store.querier(MIN_TIME, MAX_TIME);
  try {
    const byMetric = new Map<string, number>();
    const byPair = new Map<string, number>();
    const valuesByName = new Map<string, Set<string>>();
    let numSeries = 0;
    let minTime = Number.POSITIVE_INFINITY;
    let maxTime = Number.NEGATIVE_INFINITY;
    const set = q.select(ANY_SERIES);
    let it: ReturnType<ReturnType<typeof set.at>['iterator']> | undefined;
    while (set.next()) {
      const s = set.at();
      numSeries++;
      const name = labelsGet(s.labels, METRIC_NAME);
      byMetric.set(name, (byMetric.get(name) ?? 0) + 1);
      for (const l of s.labels) {
        const pair = `${l.name}=${l.value}`;
        byPair.set(pair, (byPair.get(pair) ?? 0) + 1);
        const values = valuesByName.get(l.name) ?? new Set<string>();
        values.add(l.value);
        valuesByName.set(l.name, values);
      }
      it = s.iterator(it);
      if (it.next()) minTime = Math.min(minTime, it.t());
      let last = Number.NEGATIVE_INFINITY;
      do last = it.t();
      while (it.next());
      if (Number.isFinite(minTime)) maxTime = Math.max(maxTime, last);
    }
    const labelValueCount = new Map([...valuesByName].map(([k, v]) => [k, v.size]));
    return {
      headStats: {
        numSeries,
        chunkCount: 0,
        minTime: Number.isFinite(minTime) ? minTime : 0,
        maxTime: Number.isFinite(maxTime) ? maxTime : 0,
      },
      seriesCountByMetricName: top(byMetric, limit),
      labelValueCountByLabelName: top(labelValueCount, limit),
      memoryInBytesByLabelName: [],
      seriesCountByLabelValuePair: top(byPair, limit),
    };
  } finally {
    q.close();
  }
}

export function registerStatusRoutes(router: Router, store: Queryable, startedAt: number): void {
  router.on(
    'GET',
    '/api/v1/status/buildinfo',
    promHandler(({ res }) =>
      respondSuccess(res, {
        version: VERSION,
        revision: '',
        branch: '',
        buildUser: '',
        buildDate: '',
        goVersion: `node ${process.version}`,
      }),
    ),
  );
  router.on(
    'GET',
    '/api/v1/status/runtimeinfo',
    promHandler(({ res }) =>
      respondSuccess(res, {
        startTime: new Date(startedAt).toISOString(),
        CWD: process.cwd(),
        reloadConfigSuccess: true,
        lastConfigTime: new Date(startedAt).toISOString(),
        storageRetention: '',
      }),
    ),
  );
  router.on(
    'GET',
    '/api/v1/status/tsdb',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const text = form.get('limit');
      const limit = text ? Number(text) : 10;
      if (!Number.isInteger(limit) || limit <= 0)
        throw new PromApiError('bad_data', 'limit must be a positive number');
      respondSuccess(res, tsdbStatus(store, limit));
    }),
  );
  router.on(
    ['GET', 'POST'],
    '/api/v1/query_exemplars',
    promHandler(({ res }) => respondSuccess(res, [])),
  );
  router.on(
    'GET',
    '/api/v1/targets',
    promHandler(({ res }) => respondSuccess(res, { activeTargets: [], droppedTargets: [] })),
  );
}
