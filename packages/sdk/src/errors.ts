/**
 * What went wrong, as a stable string a program can switch on.
 *
 * - `invalid_config`: an option or a metric definition is wrong (thrown at definition time).
 * - `conflict`: a metric name is already registered with a different definition (thrown).
 * - `rejected`: the server refused a batch with a 4xx other than 408/429; the batch is dropped.
 * - `transport`: a network error, a timeout, a 5xx, 408 or 429; the batch is retried.
 * - `flush_timeout`: `flush()` or `shutdown()` gave up waiting; the data stays queued (flush) or
 *   is dropped and counted (shutdown).
 * - `collect`: a `collect` callback threw; its gauge keeps its previous value.
 */
export type TinyObsErrorCode =
  | 'invalid_config'
  | 'conflict'
  | 'rejected'
  | 'transport'
  | 'flush_timeout'
  | 'collect';

/** The one error type the SDK throws or reports through `onError`. */
export class TinyObsError extends Error {
  /** Stable machine-readable reason; see {@link TinyObsErrorCode}. */
  readonly code: TinyObsErrorCode;
  /** HTTP status of the server's answer, when there was one. */
  readonly status: number | undefined;

  /** @param message reads "cannot <what>: <why>". */
  constructor(code: TinyObsErrorCode, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TinyObsError';
    this.code = code;
    this.status = options?.status;
  }
}

/** Throws an `invalid_config` error; used where a definition or option is wrong. */
export function configError(message: string): never {
  throw new TinyObsError('invalid_config', message);
}
