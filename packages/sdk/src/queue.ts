import type { Diagnostics, DropReason } from './diagnostics.js';
import { TinyObsError } from './errors.js';
import type { Sender, SendResult } from './transport.js';
import type { FlushResult } from './types.js';

/** How the queue retries and how much it may hold. */
export interface QueueOptions {
  send: Sender;
  headers: Record<string, string>;
  /** Bound on queued compressed bytes (the batch in flight included). */
  maxBytes: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Upper bound on a server's `Retry-After`, so a bad header cannot park the queue for hours. */
  maxRetryAfterMs: number;
  diag: Diagnostics;
  onError: (err: TinyObsError) => void;
  /** The ingest URL, named in the hint of a 404 or 405. */
  endpoint: string;
  /**
   * Re-encodes a body the server answered 413 (too large) into two halves. Without it, or for a
   * single point, a 413 drops the batch like any other 4xx.
   */
  split?: (body: Buffer) => Promise<{ body: Buffer; points: number }[]>;
  random?: () => number;
}

interface Item {
  seq: number;
  body: Buffer;
  points: number;
}

/** One request body ready to queue. */
export interface Batch {
  body: Buffer;
  points: number;
}

/** A handle on the batches of one flush; see {@link PushQueue.track}. */
export interface Tracked {
  /** Resolves once every tracked batch was acknowledged or dropped (after `seal()`). */
  done: Promise<void>;
  /** Ends the set of tracked batches at the last one queued. */
  seal(): void;
  /** Points sent, dropped and still pending so far, and the server's refusals among them. */
  outcome(): FlushResult & { refusals: TinyObsError[] };
}

// The batches a flush waits for: sequence numbers `from`..`to`.
interface Tracker {
  from: number;
  to: number;
  sent: number;
  dropped: number;
  refusals: TinyObsError[];
  resolve: () => void;
}

/** Snapshot of the queue, for tests and health pages. */
export interface QueueStats {
  /** Batches waiting or in flight. */
  batches: number;
  /** Their compressed size in bytes. */
  bytes: number;
}

/**
 * A FIFO of compressed request bodies, sent one at a time so that the server sees each series'
 * cumulative values in order. Network errors, 5xx, 408 and 429 are retried with exponential
 * backoff and jitter (or `Retry-After`); a 413 splits the batch; other 4xx drop it. When the byte bound is
 * exceeded the oldest waiting batch is dropped: counters are cumulative, so a newer batch
 * carries the totals of the one dropped.
 */
export class PushQueue {
  private readonly opts: QueueOptions;
  private items: Item[] = [];
  private inFlight: Item | undefined;
  private bytes = 0;
  private lastSeq = 0;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private serverAskedToWait = false;
  private closed = false;
  private trackers: Tracker[] = [];
  private failure: string | undefined;

  constructor(opts: QueueOptions) {
    this.opts = opts;
  }

  /**
   * Starts tracking every batch pending now and every batch queued until `seal()`, so that
   * `flush()` can wait for them and say what became of their points.
   */
  track(): Tracked {
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const from = Math.min(this.lowestPending(), this.lastSeq + 1);
    const t: Tracker = { from, to: Number.POSITIVE_INFINITY, sent: 0, dropped: 0, refusals: [], resolve };
    this.trackers.push(t);
    return {
      done,
      seal: () => {
        t.to = this.lastSeq;
        this.settle();
      },
      outcome: () => ({
        sent: t.sent,
        dropped: t.dropped,
        retrying: this.pendingPoints(t),
        refusals: t.refusals,
      }),
    };
  }

  /** Queues `batches` in order. */
  submit(batches: readonly Batch[]): void {
    for (const b of batches) this.enqueue(b);
  }

  private enqueue({ body, points }: Batch): void {
    const seq = ++this.lastSeq;
    if (this.closed) {
      this.drop('shutdown', 'the client is shut down', seq, points);
      return;
    }
    this.items.push({ seq, body, points });
    this.bytes += body.length;
    while (this.bytes > this.opts.maxBytes && this.items.length > 0) {
      const old = this.items.shift()!;
      this.bytes -= old.body.length;
      this.drop(
        'queue_full',
        `the send queue is over ${this.opts.maxBytes} bytes; dropped the oldest batch`,
        old.seq,
        old.points,
      );
    }
    this.settle();
    this.pump();
  }

  /**
   * Retries now instead of at the end of the current backoff, unless the server asked for the
   * wait with `Retry-After`. Called by `flush()`: whoever flushes wants an answer now, and after
   * an outage the backoff may have grown to seconds.
   */
  nudge(): void {
    if (this.retryTimer === undefined || this.serverAskedToWait) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pump();
  }

  /** Why the last attempt failed, while the queue is retrying; undefined after a success. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  /** Current size. */
  stats(): QueueStats {
    return { batches: this.items.length + (this.inFlight === undefined ? 0 : 1), bytes: this.bytes };
  }

  /** Stops retrying and drops (counting) every batch not yet sent. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const item of this.items) {
      this.drop('shutdown', 'shutdown timed out before the batch was sent', item.seq, item.points);
      this.bytes -= item.body.length;
    }
    this.items = [];
    this.settle();
  }

  private lowestPending(): number {
    return this.inFlight?.seq ?? this.items[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  private pendingPoints(t: Tracker): number {
    let n = 0;
    for (const item of this.inFlight === undefined ? this.items : [this.inFlight, ...this.items]) {
      if (item.seq >= t.from && item.seq <= t.to) n += item.points;
    }
    return n;
  }

  private settle(): void {
    if (this.trackers.length === 0) return;
    const low = this.lowestPending();
    this.trackers = this.trackers.filter((t) => {
      if (t.to >= low) return true;
      t.resolve();
      return false;
    });
  }

  private sent(seq: number, points: number): void {
    for (const t of this.trackers) if (seq >= t.from && seq <= t.to) t.sent += points;
  }

  private drop(
    reason: DropReason,
    detail: string,
    seq: number,
    points: number,
    refusal?: TinyObsError,
  ): void {
    this.opts.diag.drop(reason, 'tinyobs_sdk', detail, points);
    for (const t of this.trackers) {
      if (seq < t.from || seq > t.to) continue;
      t.dropped += points;
      if (refusal !== undefined) t.refusals.push(refusal);
    }
  }

  private pump(): void {
    if (this.inFlight !== undefined || this.retryTimer !== undefined || this.closed) return;
    const item = this.items.shift();
    if (item === undefined) return;
    this.inFlight = item;
    this.opts.send(item.body, this.opts.headers).then(
      (r) => this.onResult(item, r),
      (err: unknown) => this.onResult(item, { status: 0, retryAfterMs: undefined, message: String(err) }),
    );
  }

  private onResult(item: Item, r: SendResult): void {
    this.inFlight = undefined;
    if (r.status >= 200 && r.status < 300) {
      this.bytes -= item.body.length;
      this.attempt = 0;
      this.failure = undefined;
      this.sent(item.seq, item.points);
    } else if (r.status === 413 && item.points > 1 && this.opts.split !== undefined && !this.closed) {
      this.splitTooLarge(item, this.opts.split, r);
      return;
    } else if (isRetryable(r.status) && !this.closed) {
      this.items.unshift(item);
      this.attempt++;
      const delay = this.delay(r.retryAfterMs);
      this.serverAskedToWait = r.retryAfterMs !== undefined;
      this.failure = describe(r);
      this.report(
        new TinyObsError(
          'transport',
          `cannot push ${item.points} points to ${this.opts.endpoint}: ${describe(r)}; retrying in ${delay} ms`,
          details(r),
        ),
      );
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, delay);
      this.retryTimer.unref();
      return;
    } else {
      this.bytes -= item.body.length;
      if (isRetryable(r.status)) {
        // Only reached after close(): the client is shut down and will not retry.
        this.drop('shutdown', `shut down before a batch was sent: ${describe(r)}`, item.seq, item.points);
      } else {
        this.refuse(item, r, '');
      }
    }
    this.settle();
    this.pump();
  }

  // Holds the in-flight slot while re-encoding, so that no later batch overtakes the halves.
  private splitTooLarge(item: Item, split: NonNullable<QueueOptions['split']>, r: SendResult): void {
    this.inFlight = item;
    split(item.body).then(
      (parts) => {
        this.inFlight = undefined;
        this.bytes -= item.body.length;
        const halves = parts.map((p) => ({ seq: item.seq, body: p.body, points: p.points }));
        for (const h of halves) this.bytes += h.body.length;
        this.items.unshift(...halves);
        this.pump();
      },
      (err: unknown) => {
        this.inFlight = undefined;
        this.bytes -= item.body.length;
        this.refuse(item, r, ` (and the batch could not be split: ${String(err)})`);
        this.settle();
        this.pump();
      },
    );
  }

  // A permanent refusal: the batch is dropped, counted, reported, and fails the flushes waiting for it.
  private refuse(item: Item, r: SendResult, extra: string): void {
    const err = new TinyObsError(
      'rejected',
      `cannot push ${item.points} points to ${this.opts.endpoint}: ${describe(r)}${hint(r.status, this.opts.endpoint)}${extra}; batch dropped`,
      details(r),
    );
    this.drop('rejected', `the server refused a batch: ${describe(r)}`, item.seq, item.points, err);
    this.report(err);
  }

  private delay(retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.opts.maxRetryAfterMs);
    const ceiling = Math.min(this.opts.maxBackoffMs, this.opts.minBackoffMs * 2 ** (this.attempt - 1));
    // "Equal jitter": half fixed, half random, so that many clients do not retry in step.
    const random = this.opts.random ?? Math.random;
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  private report(err: TinyObsError): void {
    try {
      this.opts.onError(err);
    } catch {
      // A throwing onError hook must not stop the queue.
    }
  }
}

function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

// The TinyObs server answers `{"error","message"}`; other servers plain text or HTML.
function serverMessage(r: SendResult): string {
  const text = r.message.trim();
  try {
    const json = JSON.parse(text) as { message?: unknown; error?: unknown };
    if (typeof json.message === 'string') return json.message;
    if (typeof json.error === 'string') return json.error;
  } catch {
    // not JSON: the text itself
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

function details(r: SendResult): { status?: number; serverMessage?: string } {
  return r.status === 0 ? {} : { status: r.status, serverMessage: serverMessage(r) };
}

function describe(r: SendResult): string {
  if (r.status === 0) return r.message;
  const m = serverMessage(r);
  return m === '' ? `HTTP ${r.status}` : `HTTP ${r.status}: ${m}`;
}

// 404 and 405 mostly mean a wrong endpoint: a base URL with another path, or another server.
function hint(status: number, endpoint: string): string {
  if (status !== 404 && status !== 405) return '';
  return ` (is ${endpoint} a TinyObs ingest URL? The server takes POST <its address>/v1/ingest)`;
}
