/**
 * The Prometheus HTTP API envelope (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * `{"status":"success","data":…,"warnings":[…],"infos":[…]}` or
 * `{"status":"error","errorType":…,"error":…}`. Status and `errorType` come from the one error
 * table in api/errors.ts.
 */

import type { ServerResponse } from 'node:http';
import { type PromErrorType, promErrorTypeOf, statusOf } from '../errors.js';
import { sendJson } from '../http.js';

export type { PromErrorType } from '../errors.js';

/** An error raised by the API layer itself, e.g. a malformed parameter; its code is the errorType. */
export class PromApiError extends Error {
  constructor(
    readonly code: PromErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'PromApiError';
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
  sendJson(res, statusOf(err), {
    status: 'error',
    errorType: promErrorTypeOf(err),
    error: (err as Error).message ?? String(err),
  });
}
