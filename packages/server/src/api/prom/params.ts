/**
 * Parameters of the Prometheus API: read from the query string and, for POST, from an
 * `application/x-www-form-urlencoded` body, with Prometheus' parsing rules and error texts.
 */

import type { IncomingMessage } from 'node:http';
import { readBody } from '../../http/body.js';
import type { Matcher } from '../../model/matcher.js';
import { parseDuration } from '../../promql/parser/duration.js';
import { parseMetricSelector } from '../../promql/parser/parse.js';
import { PromApiError } from './respond.js';

/** Largest form body accepted by the query API. */
const MAX_FORM_BYTES = 4 * 1024 * 1024;

/** Prometheus' `MinTime`/`MaxTime` as ms: "no bound". */
export const MIN_TIME = -9_223_372_036_854;
export const MAX_TIME = 9_223_372_036_854;

/** GET query parameters merged with a POSTed form. */
export async function readForm(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const form = new URLSearchParams(url.search);
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'application/x-www-form-urlencoded') {
      const body = await readBody(req, { maxBytes: MAX_FORM_BYTES, maxDecompressedBytes: MAX_FORM_BYTES });
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) form.append(k, v);
    } else {
      req.resume();
    }
  }
  return form;
}

/** A timestamp as Unix seconds (fractions allowed) or RFC 3339 → ms. */
export function parseTimeText(text: string): number | null {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const s = Number(text);
    return Number.isFinite(s) && Math.abs(s) <= 9_223_372_036 ? Math.round(s * 1000) : null;
  }
  const t = Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(t) ? t : null;
}

/** The time parameter `name` in ms, `fallback` when absent. */
export function timeParam(form: URLSearchParams, name: string, fallback: number): number {
  const text = form.get(name);
  if (text === null || text === '') return fallback;
  const t = parseTimeText(text);
  if (t === null)
    throw new PromApiError(
      'bad_data',
      `invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`,
    );
  return t;
}

/** A required time parameter. */
export function requiredTimeParam(form: URLSearchParams, name: string): number {
  if (!form.get(name))
    throw new PromApiError('bad_data', `invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  return timeParam(form, name, 0);
}

/** A duration as float seconds (`15`, `0.5`) or a PromQL duration (`15s`, `1m30s`) → ms. */
export function durationParam(form: URLSearchParams, name: string): number | null {
  const text = form.get(name);
  if (text === null || text === '') return null;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    const s = Number(text);
    if (!Number.isFinite(s) || Math.abs(s) > 9_223_372_036) {
      throw new PromApiError(
        'bad_data',
        `invalid parameter "${name}": cannot parse "${text}" to a valid duration. It overflows int64`,
      );
    }
    return Math.round(s * 1000);
  }
  try {
    return parseDuration(text);
  } catch {
    throw new PromApiError(
      'bad_data',
      `invalid parameter "${name}": cannot parse "${text}" to a valid duration`,
    );
  }
}

/** The `match[]` selectors; with `required`, at least one must be given. */
export function matchersParam(form: URLSearchParams, required: boolean): Matcher[][] {
  const texts = form.getAll('match[]');
  if (required && texts.length === 0) throw new PromApiError('bad_data', 'no match[] parameter provided');
  return texts.map((text) => {
    let ms: Matcher[];
    try {
      ms = parseMetricSelector(text);
    } catch (err) {
      throw new PromApiError('bad_data', `invalid parameter "match[]": ${(err as Error).message}`);
    }
    if (ms.every((m) => m.matches(''))) {
      throw new PromApiError('bad_data', 'match[] must contain at least one non-empty matcher');
    }
    return ms;
  });
}

/** A non-negative `limit` (0 = no limit). */
export function limitParam(form: URLSearchParams, name = 'limit'): number {
  const text = form.get(name);
  if (text === null || text === '') return 0;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new PromApiError('bad_data', `invalid parameter "${name}": limit must be a non-negative integer`);
  return n;
}
