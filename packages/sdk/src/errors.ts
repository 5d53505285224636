import type { FlushResult } from './types.js';

/**
 * What went wrong, as a stable string a program can switch on.
 *
 * - `invalid_config`: an option or a metric definition is wrong (thrown at definition time).
 * - `conflict`: a metric name is already registered with a different definition (thrown).
 * - `rejected`: the server refused a batch with a 4xx other than 408/429; the batch is dropped.
 *   Reported through `onError`, and `flush()`/`shutdown()` reject with it.
 * - `transport`: a network error, a timeout, a 5xx, 408 or 429; the batch is retried.
 * - `flush_timeout`: `flush()` or `shutdown()` gave up waiting; the data stays queued (flush) or
 *   is dropped and counted (shutdown). Their promise rejects with it.
 * - `collect`: a `collect` callback threw; its gauge keeps its previous value.
 */
export type TinyObsErrorCode =
  | 'invalid_config'
  | 'conflict'
  | 'rejected'
  | 'transport'
  | 'flush_timeout'
  | 'collect';

/** Details a {@link TinyObsError} may carry. */
export interface TinyObsErrorOptions {
  status?: number | undefined;
  serverMessage?: string | undefined;
  result?: FlushResult | undefined;
  cause?: unknown;
}

/** The one error type the SDK throws or reports through `onError`. */
export class TinyObsError extends Error {
  /** Stable machine-readable reason; see {@link TinyObsErrorCode}. */
  readonly code: TinyObsErrorCode;
  /** HTTP status of the server's answer, when there was one. */
  readonly status: number | undefined;
  /** What the server said when it refused a batch (its `message` field, or the body's text). */
  readonly serverMessage: string | undefined;
  /** On an error from `flush()` or `shutdown()`: what became of the data it waited for. */
  readonly result: FlushResult | undefined;

  /** @param message reads "cannot <what>: <why>". */
  constructor(code: TinyObsErrorCode, message: string, options?: TinyObsErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TinyObsError';
    this.code = code;
    this.status = options?.status;
    this.serverMessage = options?.serverMessage;
    this.result = options?.result;
  }
}

/** Throws an `invalid_config` error; used where a definition or option is wrong. */
export function configError(message: string): never {
  throw new TinyObsError('invalid_config', message);
}
