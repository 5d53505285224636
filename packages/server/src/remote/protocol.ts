/**
 * The contract between the forwarder on the main thread (forwarder.ts) and its worker thread
 * (worker.ts), which does all per-sample work of forwarding: reading the log, labels, encoding,
 * compression, sending, positions. Ingest runs on the main thread and is bound by it, so every
 * microsecond the forwarder spent there lowered ingest throughput; the main thread now only
 * answers the worker's label questions and mirrors its state. Messages are structured clones:
 * plain data only (matchers travel as their type, name and value and are compiled again).
 */

import type { MessagePort } from 'node:worker_threads';
import type { Label } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import type { MetricMetadata } from '../model/sample.js';
import type { RemoteTarget } from './config.js';
import type { SavedPosition, WalPosition } from './position.js';

/** What the worker starts with (`workerData`). */
export interface WorkerInit {
  readonly dataDir: string;
  readonly walDir: string;
  readonly maxLagMs: number;
  readonly targets: readonly WireTarget[];
  /** Where each target starts (same order as `targets`): its saved position, else the newest segment. */
  readonly positions: readonly SavedPosition[];
  /** The worker asks the main thread for labels through this port (see {@link LabelsRequest}). */
  readonly labelsPort: MessagePort;
  /** Set to 1 (and notified) by the main thread after each reply on `labelsPort`. */
  readonly replied: Int32Array;
}

/** A target as plain data. */
export type WireTarget = Omit<RemoteTarget, 'match'> & {
  readonly match: readonly (readonly { type: MatchTypeOf; name: string; value: string }[])[];
};
type MatchTypeOf = RemoteTarget['match'][number][number]['type'];

export function targetToWire(t: RemoteTarget): WireTarget {
  return { ...t, match: t.match.map((ms) => ms.map(({ type, name, value }) => ({ type, name, value }))) };
}

export function targetFromWire(t: WireTarget): RemoteTarget {
  return { ...t, match: t.match.map((ms) => ms.map((m) => newMatcher(m.type, m.name, m.value))) };
}

/**
 * The worker's question, for the labels of refs whose series record it has not read (written
 * before its position, or in a segment truncated away) and the metadata of metric families it
 * has not seen in the log. The worker waits for the answer synchronously (see worker_labels.ts).
 */
export interface LabelsRequest {
  readonly refs: readonly number[];
  readonly families: readonly string[];
}

/** The answer: `labels[i]` of `refs[i]` (null: unknown ref), `metadata[i]` of `families[i]`. */
export interface LabelsReply {
  readonly labels: readonly (readonly Label[] | null)[];
  readonly metadata: readonly (MetricMetadata | null)[];
}

/** One target's state as the worker last saw it; the main thread's stats derive from it. */
export interface TargetState {
  /** Acknowledged and saved (durably): the log below it may be truncated. */
  readonly acked: SavedPosition;
  /** Where the next read starts (what lies after it is pending). */
  readonly read: WalPosition;
  /** Samples read and not yet acknowledged. */
  readonly inFlight: number;
  readonly sent: number;
  readonly failed: number;
  readonly dropped: number;
  readonly protobufMessage: 'prometheus.WriteRequest' | 'io.prometheus.write.v2.Request';
}

/** Main thread → worker. */
export type ToWorker =
  /** Drop what is past the maximum lag now (sent when the database is about to truncate the log). */
  | { readonly type: 'check_lag' }
  /** Finish the rounds in flight, save the positions, post `stopped`. */
  | { readonly type: 'stop' };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'state'; readonly targets: readonly TargetState[] }
  | {
      readonly type: 'log';
      readonly level: 'info' | 'warn' | 'error';
      readonly msg: string;
      readonly fields?: Record<string, unknown>;
    }
  | { readonly type: 'stopped' };
