import type { Diagnostics } from './diagnostics.js';
import { TinyObsError } from './errors.js';
import type { Sender, SendResult } from './transport.js';

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
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(opts: QueueOptions) {
    this.opts = opts;
  }

  /** Queues a body of `points` points and returns its sequence number for {@link waitFor}. */
  enqueue(body: Buffer, points: number): number {
    const seq = ++this.lastSeq;
    if (this.closed) {
      this.opts.diag.drop('shutdown', 'tinyobs_sdk', 'the client is shut down', points);
      return seq;
    }
    this.items.push({ seq, body, points });
    this.bytes += body.length;
    while (this.bytes > this.opts.maxBytes && this.items.length > 0) {
      const old = this.items.shift()!;
      this.bytes -= old.body.length;
      this.opts.diag.drop(
        'queue_full',
        'tinyobs_sdk',
        `the send queue is over ${this.opts.maxBytes} bytes; dropped the oldest batch`,
        old.points,
      );
    }
    this.settle();
    this.pump();
    return seq;
  }

  /** Sequence number of the last batch queued (0 before the first). */
  get last(): number {
    return this.lastSeq;
  }

  /** Resolves once every batch up to `seq` was acknowledged or dropped. */
  waitFor(seq: number): Promise<void> {
    if (seq < this.lowestPending()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
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
      this.opts.diag.drop(
        'shutdown',
        'tinyobs_sdk',
        'shutdown timed out before the batch was sent',
        item.points,
      );
      this.bytes -= item.body.length;
    }
    this.items = [];
    this.settle();
  }

  private lowestPending(): number {
    return this.inFlight?.seq ?? this.items[0]?.seq ?? Number.POSITIVE_INFINITY;
  }

  private settle(): void {
    const low = this.lowestPending();
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.seq < low) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
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
    } else if (r.status === 413 && item.points > 1 && this.opts.split !== undefined && !this.closed) {
      this.splitTooLarge(item, this.opts.split, r);
      return;
    } else if (isRetryable(r.status) && !this.closed) {
      this.items.unshift(item);
      this.attempt++;
      const delay = this.delay(r.retryAfterMs);
      this.serverAskedToWait = r.retryAfterMs !== undefined;
      this.report(
        'transport',
        `cannot push ${item.points} points: ${describe(r)}; retrying in ${delay} ms`,
        r,
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
        this.opts.diag.drop(
          'shutdown',
          'tinyobs_sdk',
          `shut down before a batch was sent: ${describe(r)}`,
          item.points,
        );
      } else {
        this.opts.diag.drop(
          'rejected',
          'tinyobs_sdk',
          `the server refused a batch: ${describe(r)}`,
          item.points,
        );
        this.report('rejected', `cannot push ${item.points} points: ${describe(r)}; batch dropped`, r);
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
        this.opts.diag.drop(
          'rejected',
          'tinyobs_sdk',
          `cannot split a batch the server found too large: ${String(err)}`,
          item.points,
        );
        this.report('rejected', `cannot push ${item.points} points: ${describe(r)}; batch dropped`, r);
        this.settle();
        this.pump();
      },
    );
  }

  private delay(retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.opts.maxRetryAfterMs);
    const ceiling = Math.min(this.opts.maxBackoffMs, this.opts.minBackoffMs * 2 ** (this.attempt - 1));
    // "Equal jitter": half fixed, half random, so that many clients do not retry in step.
    const random = this.opts.random ?? Math.random;
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  private report(code: 'transport' | 'rejected', message: string, r: SendResult): void {
    try {
      this.opts.onError(new TinyObsError(code, message, r.status === 0 ? undefined : { status: r.status }));
    } catch {
      // A throwing onError hook must not stop the queue.
    }
  }
}

function isRetryable(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

function describe(r: SendResult): string {
  return r.status === 0 ? r.message : `HTTP ${r.status} ${r.message.slice(0, 200)}`.trim();
}
