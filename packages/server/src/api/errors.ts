/**
 * The one place where typed errors become HTTP statuses. Every stage throws errors with a `code`;
 * nothing else in the server picks a status for an error.
 */

/** An error the HTTP layer itself raises (unknown route, wrong method…). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  bad_request: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_series: 429,
  storage_full: 507,
  storage_unavailable: 503,
  storage_closed: 503,
  storage_io: 500,
  invalid_config: 500,
  // Query errors (parser, engine), when they reach a native endpoint.
  bad_data: 400,
  invalid_matcher: 400,
  execution: 422,
  too_many_samples: 422,
  timeout: 503,
  canceled: 499,
};

/**
 * The HTTP status for an error, by its `code` (IngestError, StorageError, ParseError, PromQLError…):
 * 500 for anything without a known code, which is a bug.
 */
export function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (STATUS_BY_CODE[code] ?? 500) : 500;
}

/** The reason phrase used in the native API's `{"error": …}` field. */
export function reasonOf(status: number): string {
  return REASONS[status] ?? 'Error';
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};
