/**
 * Moving data in and out: `GET /v1/export`, `POST /v1/import`, the original TinyObs' raw-sample
 * `GET /v1/query`, and Prometheus' `GET /federate`. Exports and imports stream: neither holds a
 * whole body, so their size is bounded by disk, not memory.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { collectPushedFamilies } from '../exposition/collect.js';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from '../exposition/format.js';
import { IngestError } from '../ingest/errors.js';
import type { IngestContext } from '../ingest/protocol.js';
import { METRIC_NAME } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import type { Queryable } from '../storage/types.js';
import { importRecords } from '../transfer/decode.js';
import { runExport } from '../transfer/exporter.js';
import { CONTENT_TYPES, formatFromContentType, parseFormat } from '../transfer/formats.js';
import { importAll } from '../transfer/importer.js';
import { sendJson, sendText } from './http.js';
import { matchersParam, timeParam } from './prom/params.js';
import type { Router } from './router.js';

const ALL_SERIES = [[newMatcher('=~', METRIC_NAME, '.+')]];
/** Prometheus' lookback: federation shows series with a sample in the last 5 minutes. */
const FEDERATE_LOOKBACK_MS = 5 * 60_000;
/** Most samples `GET /v1/query` returns; larger reads belong to `/v1/export`. */
const MAX_RAW_SAMPLES = 100_000;

export function registerTransferRoutes(router: Router, store: Queryable, ingest: IngestContext): void {
  router.on('GET', '/v1/export', async ({ res, url }) => {
    const q = url.searchParams;
    const format = parseFormat(q.get('format'));
    const end = timeParam(q, 'end', Date.now());
    const start = timeParam(q, 'start', 0);
    if (end < start) throw new IngestError('bad_request', 'invalid time range: end is before start');
    const selectors = q.has('match[]') ? matchersParam(q, true) : ALL_SERIES;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[format],
      'content-disposition': `attachment; filename="tinyobs-export.${format === 'openmetrics' ? 'txt' : format}"`,
    });
    await runExport(store, { format, start, end, selectors }, sinkTo(res));
    res.end();
  });

  // An import writes like a push: the write key, and no cross-site web page.
  router.on(
    'POST',
    '/v1/import',
    async ({ req, res, url }) => {
      const named = url.searchParams.get('format');
      const format = named
        ? parseFormat(named)
        : (formatFromContentType(req.headers['content-type']) ?? 'json');
      const chunks = decodedText(req);
      const summary = await importAll(importRecords(format, chunks), ingest);
      const status = summary.errors_total === 0 ? 'success' : 'partial';
      const body = { status, format, ...summary };
      if (summary.errors_total === 0) sendJson(res, 200, body);
      else {
        // Some records were bad: the good ones are stored, and the client learns which were not.
        const first = summary.errors[0]!;
        const message = `${summary.errors_total} records rejected (${summary.metrics_imported} samples imported); first: ${first.line === null ? '' : `line ${first.line}: `}${first.message}`;
        sendJson(res, 400, { error: 'Bad Request', message, ...body });
      }
    },
    'write',
  );

  router.on('GET', '/v1/query', ({ res, url }) => {
    const q = url.searchParams;
    const metric = q.get('metric');
    if (!metric)
      throw new IngestError(
        'bad_request',
        'missing parameter "metric" (a metric name or selector such as up{job="api"})',
      );
    const form = new URLSearchParams({ 'match[]': metric });
    const end = timeParam(q, 'end', Date.now());
    const start = timeParam(q, 'start', end - 3_600_000);
    if (end < start) throw new IngestError('bad_request', 'invalid time range: end is before start');
    const querier = store.querier(start, end);
    try {
      const data: {
        metric: string;
        labels: Record<string, string>;
        points: { t: number; v: number | string }[];
      }[] = [];
      let total = 0;
      const set = querier.select(matchersParam(form, true)[0]!, { start, end });
      while (set.next()) {
        const s = set.at();
        const labels: Record<string, string> = {};
        for (const l of s.labels) if (l.name !== METRIC_NAME) labels[l.name] = l.value;
        const points: { t: number; v: number | string }[] = [];
        const it = s.iterator();
        for (let ok = it.seek(start); ok && it.t() <= end; ok = it.next()) {
          if (++total > MAX_RAW_SAMPLES) {
            throw new IngestError(
              'bad_request',
              `the range holds more than ${MAX_RAW_SAMPLES} samples: narrow start/end or the selector, or use GET /v1/export`,
            );
          }
          const v = it.v();
          points.push({ t: it.t(), v: Number.isFinite(v) ? v : String(v) });
        }
        data.push({ metric: s.labels.find((l) => l.name === METRIC_NAME)?.value ?? '', labels, points });
      }
      sendJson(res, 200, { data, count: total });
    } finally {
      querier.close();
    }
  });

  router.on(['GET', 'POST'], '/federate', ({ res, url }) => {
    const selectors = matchersParam(url.searchParams, false);
    const families = collectPushedFamilies(store, Date.now(), FEDERATE_LOOKBACK_MS, {
      selectors,
      timestamps: true,
    });
    sendText(res, 200, renderExposition(families), EXPOSITION_CONTENT_TYPE);
  });
}

/** Text chunks of a request body, decompressed as its Content-Encoding says. */
function decodedText(req: IncomingMessage): AsyncIterable<string> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let stream: Readable = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') stream = req.pipe(createGunzip());
  else if (encoding === 'deflate') stream = req.pipe(createInflate());
  else if (encoding !== 'identity' && encoding !== '') {
    throw new IngestError(
      'unsupported_media_type',
      `cannot read body: unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip)`,
    );
  }
  if (stream !== req) {
    req.on('error', (err) => stream.destroy(err));
  }
  stream.setEncoding('utf8');
  return (async function* () {
    try {
      for await (const chunk of stream) yield chunk as string;
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('Z_')) {
        throw new IngestError('bad_request', `cannot decompress body: ${(err as Error).message}`);
      }
      throw err;
    }
  })();
}

/** A sink that waits for the socket to drain, and stops the export when the client has gone. */
function sinkTo(res: ServerResponse): (text: string) => Promise<void> | void {
  return (text) => {
    if (text === '') return;
    if (res.destroyed) throw new Error('cannot export: the client closed the connection');
    if (res.write(text)) return;
    return new Promise<void>((resolve, reject) => {
      const drained = () => {
        res.off('close', closed);
        resolve();
      };
      const closed = () => {
        res.off('drain', drained);
        reject(new Error('cannot export: the client closed the connection'));
      };
      res.once('drain', drained);
      res.once('close', closed);
    });
  };
}
