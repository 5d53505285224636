/**
 * Typed errors of the HTTP edge itself (routing, body reading, keys, host checks), raised before
 * any stage runs. Like every other typed error they carry a `code`; api/errors.ts maps each code
 * to a status in one table.
 */

export type RequestErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'forbidden_host'
  | 'forbidden_origin'
  | 'request_timeout';

export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
