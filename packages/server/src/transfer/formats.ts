/**
 * The formats TinyObs exports and imports (`GET /v1/export`, `POST /v1/import`, `tinyobs export`,
 * `tinyobs import`):
 *
 * - `json`: the original TinyObs export document, `{"metadata":{…},"metrics":[…]}`, one entry per
 *   sample in the native ingest shape (`name`, `type`, `value`, `labels`, `timestamp`).
 * - `jsonl`: VictoriaMetrics' `/api/v1/export` lines, `{"metric":{…},"values":[…],"timestamps":[…]}`.
 * - `csv`: `series,timestamp_ms,value` with the series in PromQL notation (`up{job="a"}`).
 * - `openmetrics`: the OpenMetrics text format with timestamps (seconds), families typed from
 *   metadata, ending in `# EOF`.
 */

import { IngestError } from '../ingest/errors.js';

export type TransferFormat = 'json' | 'jsonl' | 'csv' | 'openmetrics';

export const TRANSFER_FORMATS: readonly TransferFormat[] = ['json', 'jsonl', 'csv', 'openmetrics'];

export const CONTENT_TYPES: Readonly<Record<TransferFormat, string>> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** The format named by a `format` parameter (default `json`), or a 400 naming the choices. */
export function parseFormat(raw: string | null | undefined): TransferFormat {
  const f = raw === null || raw === undefined || raw === '' ? 'json' : raw;
  if ((TRANSFER_FORMATS as readonly string[]).includes(f)) return f as TransferFormat;
  throw new IngestError(
    'bad_request',
    `invalid format ${JSON.stringify(raw)}: must be one of ${TRANSFER_FORMATS.join(', ')}`,
  );
}

/** The format of an import body from its Content-Type, when the request names none. */
export function formatFromContentType(contentType: string | undefined): TransferFormat | null {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json') return 'json';
  if (ct === 'application/x-ndjson' || ct === 'application/jsonl' || ct === 'application/stream+json')
    return 'jsonl';
  if (ct === 'text/csv') return 'csv';
  if (ct === 'application/openmetrics-text' || ct === 'text/plain') return 'openmetrics';
  return null;
}
