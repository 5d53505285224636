/**
 * Why a value or a batch was dropped; the `reason` label of `tinyobs_sdk_dropped_total`.
 *
 * - `invalid_value`: NaN, infinite, non-number, or a negative counter increment.
 * - `unknown_label`: a label name the instrument was not defined with.
 * - `invalid_label`: a label value that is neither a string nor a finite number.
 * - `queue_full`: the send queue reached its byte bound; the oldest batch was dropped (counted in points).
 * - `rejected`: the server answered 4xx (not 408/429) to a batch (counted in points).
 * - `shutdown`: `shutdown()` timed out with batches still queued (counted in points).
 */
export type DropReason =
  | 'invalid_value'
  | 'unknown_label'
  | 'invalid_label'
  | 'queue_full'
  | 'rejected'
  | 'shutdown';

/**
 * Counts drops and warns once per metric and reason, so a hot loop with bad input costs a
 * counter increment, not a log line per call.
 */
export class Diagnostics {
  /** Total drops by reason since the client was created. */
  readonly dropped = new Map<DropReason, number>();
  /** Feeds the `tinyobs_sdk_dropped_total` counter; set by the client once it exists. */
  onDrop: ((reason: DropReason, n: number) => void) | undefined;
  private readonly warned = new Set<string>();
  private readonly warn: (message: string) => void;

  constructor(warn: (message: string) => void) {
    this.warn = warn;
  }

  /** Counts `n` dropped values or points and warns the first time for this metric and reason. */
  drop(reason: DropReason, metric: string, detail: string, n = 1): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + n);
    this.onDrop?.(reason, n);
    this.warnOnce(`${metric}\u0000${reason}`, `tinyobs: ${metric}: dropped (${reason}): ${detail}`);
  }

  /** Emits `message` the first time `key` is seen; a throwing warn hook is ignored on purpose. */
  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    try {
      this.warn(message);
    } catch {
      // A user's warn hook must not turn a record call into a throwing one.
    }
  }
}
