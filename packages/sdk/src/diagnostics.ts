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
  /** Record calls that lacked a label name of their instrument. */
  missingLabels = 0;
  /** Feeds the `tinyobs_sdk_dropped_total` counter; set by the client once it exists. */
  onDrop: ((reason: DropReason, n: number) => void) | undefined;
  /** Feeds the `tinyobs_sdk_missing_labels_total` counter; set by the client once it exists. */
  onMissingLabel: ((metric: string) => void) | undefined;
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

  /**
   * Counts a record call that lacked labels of its instrument (it is recorded without them) and
   * warns the first time for this metric. `missing` is only called then: the hot path that
   * detects a missing label does not know which one.
   */
  missingLabel(metric: string, missing: () => string[]): void {
    this.missingLabels++;
    this.onMissingLabel?.(metric);
    const key = `${metric}\u0000missing_label`;
    if (this.warned.has(key)) return;
    const names = missing();
    this.warnOnce(
      key,
      `tinyobs: ${metric}: a record call has no value for label${names.length > 1 ? 's' : ''} ${names.join(', ')}; it is recorded without ${names.length > 1 ? 'them' : 'it'} (pass '' to leave a label empty on purpose; counted in tinyobs_sdk_missing_labels_total, warned once per metric)`,
    );
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
