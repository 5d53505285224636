/**
 * The query endpoints of the original TinyObs, kept for its clients, as thin wrappers over the
 * PromQL engine: `GET /v1/query/range`, `POST /v1/query/execute`, `GET|POST /v1/query/instant`,
 * `GET /v1/metrics/list`. Errors use the native `{"error","message"}` shape.
 *
 * Times are RFC 3339 strings or Unix seconds; points are `{"t": ms, "v": number|null}` (JSON has no
 * NaN or Inf: those become null, with the text in `"s"`).
 */

import { readBody } from '../http/body.js';
import { RequestError } from '../http/errors.js';
import { familyOf } from '../model/family.js';
import { type Labels, labelsGet, METRIC_NAME } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import type { Engine, MatrixSeries, QueryValue } from '../promql/engine/engine.js';
import { formatDuration, parseDuration } from '../promql/parser/duration.js';
import type { Queryable } from '../storage/types.js';
import { sendJson } from './http.js';
import { formatSampleValue } from './prom/encode.js';
import { parseTimeText } from './prom/params.js';
import type { Router } from './router.js';

const DEFAULT_RANGE_MS = 3_600_000;
const DEFAULT_MAX_POINTS = 1000;
const MAX_POINTS = 11_000;

function bad(message: string): RequestError {
  return new RequestError('bad_request', message);
}

function time(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const t = parseTimeText(String(value));
  if (t === null) throw bad(`invalid ${name} ${JSON.stringify(value)}: use RFC 3339 or Unix seconds`);
  return t;
}

function point(t: number, v: number) {
  return Number.isFinite(v) ? { t, v } : { t, v: null, s: formatSampleValue(v) };
}

function labelsObject(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) if (l.name !== METRIC_NAME) out[l.name] = l.value;
  return out;
}

function seriesJson(s: MatrixSeries, resolution: string) {
  return {
    metric: labelsGet(s.metric, METRIC_NAME),
    labels: labelsObject(s.metric),
    points: s.points.map((p) => point(p.t, p.v)),
    resolution,
  };
}

function valueJson(v: QueryValue, resolution: string) {
  switch (v.resultType) {
    case 'matrix':
      return { resultType: 'matrix', data: v.result.map((s) => seriesJson(s, resolution)) };
    case 'vector':
      return {
        resultType: 'vector',
        data: v.result.map((s) => ({
          metric: labelsGet(s.metric, METRIC_NAME),
          labels: labelsObject(s.metric),
          value: point(s.t, s.v),
        })),
      };
    case 'scalar':
      return { resultType: 'scalar', data: point(v.t, v.v) };
    case 'string':
      return { resultType: 'string', data: { t: v.t, v: v.v } };
  }
}

/** A step that keeps a range at or under `maxPoints` points, in whole seconds. */
function stepFor(start: number, end: number, maxPoints: number): number {
  return Math.max(1000, Math.ceil((end - start) / maxPoints / 1000) * 1000);
}

export function registerNativeQueryRoutes(router: Router, engine: Engine, store: Queryable): void {
  router.on('GET', '/v1/query/range', async ({ res, url }) => {
    const q = url.searchParams;
    const metric = q.get('metric');
    if (!metric) throw bad('missing parameter "metric" (a metric name or selector such as up{job="api"})');
    const end = time(q.get('end'), 'end', Date.now());
    const start = time(q.get('start'), 'start', end - DEFAULT_RANGE_MS);
    if (end < start) throw bad('end must not be before start');
    const maxPoints = q.get('maxPoints') ? Number(q.get('maxPoints')) : DEFAULT_MAX_POINTS;
    if (!Number.isInteger(maxPoints) || maxPoints < 1 || maxPoints > MAX_POINTS) {
      throw bad(
        `invalid maxPoints ${JSON.stringify(q.get('maxPoints'))}: an integer from 1 to ${MAX_POINTS}`,
      );
    }
    const step = stepFor(start, end, maxPoints);
    const r = await engine.rangeQuery(store, metric, start, end, step);
    const v = r.value;
    sendJson(res, 200, {
      data: v.resultType === 'matrix' ? v.result.map((s) => seriesJson(s, formatDuration(step))) : [],
    });
  });

  router.on('POST', '/v1/query/execute', async ({ req, res }) => {
    const body = await readBody(req, { maxBytes: 1 << 20, maxDecompressedBytes: 1 << 20 });
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw bad('cannot parse request body: invalid JSON (expected {"query","start","end","step"})');
    }
    if (typeof json.query !== 'string' || json.query === '') throw bad('field "query" is required');
    const end = time(json.end, 'end', Date.now());
    const start = time(json.start, 'start', end - DEFAULT_RANGE_MS);
    const step = json.step === undefined ? stepFor(start, end, DEFAULT_MAX_POINTS) : stepMs(json.step);
    const r = await engine.rangeQuery(store, json.query, start, end, step);
    sendJson(res, 200, { ...valueJson(r.value, formatDuration(step)), warnings: r.warnings });
  });

  router.on(['GET', 'POST'], '/v1/query/instant', async ({ req, res, url }) => {
    let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
    if (req.method === 'POST') {
      const body = await readBody(req, { maxBytes: 1 << 20, maxDecompressedBytes: 1 << 20 });
      if (body.length > 0) {
        try {
          params = { ...params, ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
        } catch {
          throw bad('cannot parse request body: invalid JSON (expected {"query","time"})');
        }
      }
    }
    if (typeof params.query !== 'string' || params.query === '') throw bad('parameter "query" is required');
    const r = await engine.instantQuery(store, params.query, time(params.time, 'time', Date.now()));
    sendJson(res, 200, { ...valueJson(r.value, 'instant'), warnings: r.warnings });
  });

  router.on('GET', '/v1/metrics/list', ({ res }) => {
    const q = store.querier(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    try {
      const names = q.labelValues(METRIC_NAME, [newMatcher('=~', METRIC_NAME, '.+')]);
      const meta = q.metadata();
      sendJson(res, 200, {
        // `x_bucket`, `x_sum` and `x_count` are typed by their family, as /api/v1/metadata types `x`.
        metrics: names.map((name) => ({ name, type: familyOf(name, meta)[1]?.type ?? 'unknown' })),
        count: names.length,
      });
    } finally {
      q.close();
    }
  });
}

/** A step given as seconds (number) or a PromQL duration (`15s`). */
function stepMs(raw: unknown): number {
  let ms = Number.NaN;
  if (typeof raw === 'number') ms = Math.round(raw * 1000);
  else if (typeof raw === 'string') {
    try {
      ms = parseDuration(raw);
    } catch {
      // Reported below with the rule.
    }
  }
  if (!(ms > 0))
    throw bad(`invalid step ${JSON.stringify(raw)}: a duration such as 15s or a number of seconds`);
  return ms;
}
