/**
 * Typed query errors. The HTTP layer maps `code` to Prometheus' `errorType` and status:
 * `bad_data` → 400, `execution` → 422, `timeout` → 503, `canceled` → 503 (Prometheus uses
 * `canceled`), `too_many_samples` → 422 (`execution` in Prometheus' envelope).
 */

/** The kinds of query failure, as the API reports them. */
export type PromQLErrorCode =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'too_many_samples'
  /** The query queue is full (503). */
  | 'unavailable';

/** A query failure with a code for the API layer and Prometheus' message text. */
export class PromQLError extends Error {
  constructor(
    readonly code: PromQLErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PromQLError';
  }
}

/** An evaluation error (Prometheus' `errorType: execution`). */
export function execError(message: string): PromQLError {
  return new PromQLError('execution', message);
}

/** Prometheus' text for exceeding `maxSamples`. */
export const TOO_MANY_SAMPLES_MESSAGE =
  'query processing would load too many samples into memory in query execution';
