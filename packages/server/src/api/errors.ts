/**
 * The one place where typed errors become HTTP statuses. Every stage throws errors with a `code`
 * (RequestError, IngestError, StorageError, PromQLError, ParseError, …); nothing else in the
 * server picks a status for an error. The same row gives the Prometheus API's `errorType`, so the
 * native and the Prometheus envelopes cannot disagree on a status.
 */

import type { RequestErrorCode } from '../http/errors.js';
import type { IngestErrorCode } from '../ingest/errors.js';
import type { PromQLErrorCode } from '../promql/engine/errors.js';
import type { StorageErrorCode } from '../storage/errors.js';

/** Prometheus' `errorType` values (https://prometheus.io/docs/prometheus/latest/querying/api/). */
export type PromErrorType =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'internal'
  | 'not_found'
  | 'unavailable';

/** Every error code of the server. A new code must be added to {@link ERRORS} to compile. */
export type ErrorCode =
  | RequestErrorCode
  | IngestErrorCode
  | StorageErrorCode
  | PromQLErrorCode
  | PromErrorType
  | 'invalid_matcher'
  | 'invalid_config'
  | 'upstream_unavailable'
  | 'invalid_rules'
  | 'bad_template';

interface ErrorClass {
  readonly status: number;
  readonly promType: PromErrorType;
}

const row = (status: number, promType: PromErrorType): ErrorClass => ({ status, promType });

const ERRORS: Readonly<Record<ErrorCode, ErrorClass>> = {
  bad_request: row(400, 'bad_data'),
  bad_data: row(400, 'bad_data'),
  invalid_matcher: row(400, 'bad_data'),
  unauthorized: row(401, 'bad_data'),
  // A Host header the server does not answer to (DNS rebinding): refused before any route runs.
  forbidden_host: row(403, 'bad_data'),
  // A push from a web page of another origin (not one of --cors-origin).
  forbidden_origin: row(403, 'bad_data'),
  not_found: row(404, 'not_found'),
  method_not_allowed: row(405, 'bad_data'),
  request_timeout: row(408, 'timeout'),
  payload_too_large: row(413, 'bad_data'),
  unsupported_media_type: row(415, 'bad_data'),
  execution: row(422, 'execution'),
  // Rule files that do not load (POST /-/reload); the running rules stay.
  invalid_rules: row(422, 'bad_data'),
  bad_template: row(422, 'bad_data'),
  too_many_samples: row(422, 'execution'),
  too_many_series: row(429, 'execution'),
  // nginx's "client closed request", as Prometheus answers a canceled query.
  canceled: row(499, 'canceled'),
  internal: row(500, 'internal'),
  storage_io: row(500, 'internal'),
  invalid_config: row(500, 'internal'),
  timeout: row(503, 'timeout'),
  unavailable: row(503, 'unavailable'),
  storage_closed: row(503, 'unavailable'),
  // A write failed part-way (not ENOSPC): nothing acknowledged, the log cut back; retry later.
  storage_unavailable: row(503, 'unavailable'),
  storage_full: row(507, 'internal'),
  // --query-upstream could not be reached: the gateway's failure, not the client's.
  upstream_unavailable: row(502, 'unavailable'),
};

const UNKNOWN: ErrorClass = ERRORS.internal;

function classOf(err: unknown): ErrorClass {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && Object.hasOwn(ERRORS, code) ? ERRORS[code as ErrorCode] : UNKNOWN;
}

/** The HTTP status for an error, by its `code`: 500 for anything without a known code, which is a bug. */
export function statusOf(err: unknown): number {
  return classOf(err).status;
}

/** Prometheus' `errorType` for an error, by its `code`: `internal` without a known code. */
export function promErrorTypeOf(err: unknown): PromErrorType {
  return classOf(err).promType;
}

/** The reason phrase used in the native API's `{"error": …}` field. */
export function reasonOf(status: number): string {
  return REASONS[status] ?? 'Error';
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};
