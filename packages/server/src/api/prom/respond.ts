/**
 * The Prometheus HTTP API envelope (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * `{"status":"success","data":…,"warnings":[…],"infos":[…]}` or
 * `{"status":"error","errorType":…,"error":…}`, and the one mapping from typed errors to
 * `errorType` and HTTP status that every Prometheus-API route uses.
 */

import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';

export type PromErrorType =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'internal'
  | 'not_found'
  | 'unavailable';

const STATUS: Readonly<Record<PromErrorType, number>> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  // nginx's "client closed request", as Prometheus answers a canceled query.
  canceled: 499,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

/** An error raised by the API layer itself, e.g. a malformed parameter. */
export class PromApiError extends Error {
  constructor(
    readonly errorType: PromErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'PromApiError';
  }
}

/** `errorType` of any error thrown below the API: by `code` (parser, engine, storage), else internal. */
export function errorTypeOf(err: unknown): PromErrorType {
  if (err instanceof PromApiError) return err.errorType;
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'bad_data':
    case 'invalid_matcher':
      return 'bad_data';
    case 'execution':
    case 'too_many_samples':
      return 'execution';
    case 'timeout':
      return 'timeout';
    case 'canceled':
      return 'canceled';
    case 'storage_closed':
    case 'unavailable':
      return 'unavailable';
    default:
      return 'internal';
  }
}

export function respondSuccess(
  res: ServerResponse,
  data: unknown,
  warnings: string[] = [],
  infos: string[] = [],
): void {
  const body: Record<string, unknown> = { status: 'success', data };
  if (warnings.length > 0) body.warnings = warnings;
  if (infos.length > 0) body.infos = infos;
  sendJson(res, 200, body);
}

export function respondError(res: ServerResponse, err: unknown): void {
  const errorType = errorTypeOf(err);
  sendJson(res, STATUS[errorType], {
    status: 'error',
    errorType,
    error: (err as Error).message ?? String(err),
  });
}
