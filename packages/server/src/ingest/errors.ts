/** Typed ingest errors; api/errors.ts maps each code to an HTTP status in one place. */

export type IngestErrorCode =
  | 'bad_request'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_series';

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

/**
 * A failed request whose answer still carries protocol headers: remote write 2.0 wants its
 * `X-Prometheus-Remote-Write-*-Written` counts on every answer, errors included, so that a sender
 * knows what a partial write kept. It keeps the wrapped error's `code` and message, so the status
 * is the one api/errors.ts gives the cause; api/ingest.ts adds `headers` to the answer.
 */
export class ErrorWithHeaders extends Error {
  readonly code: unknown;
  constructor(
    cause: Error,
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super(cause.message, { cause });
    this.name = cause.name;
    this.code = (cause as { code?: unknown }).code;
  }
}
