/**
 * The engine's admission control: at most `maxConcurrent` queries evaluate at once, up to
 * `maxQueued` more wait in arrival order, and a waiting query leaves the queue when its own
 * deadline passes or it is canceled (Prometheus' `--query.max-concurrency` with a bounded queue).
 */

import { PromQLError } from './errors.js';

interface Waiter {
  readonly admit: () => void;
}

export class QueryGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once the query may run. Rejects with `unavailable` when
   * the queue is full, `timeout` when `deadline` (ms since the epoch) passes while waiting,
   * `canceled` when `signal` aborts while waiting.
   */
  async acquire(deadline: number, signal?: AbortSignal): Promise<() => void> {
    if (this.running < this.maxConcurrent && this.waiting.length === 0) return this.admitted();
    if (this.waiting.length >= this.maxQueued) {
      throw new PromQLError(
        'unavailable',
        `cannot run query: ${this.maxConcurrent} queries are running and ${this.waiting.length} waiting, the most allowed (--query-max-concurrency, --query-max-queued)`,
      );
    }
    if (signal?.aborted) throw new PromQLError('canceled', 'query was canceled in query queue');
    return new Promise((resolve, reject) => {
      const leave = (err: PromQLError): void => {
        const i = this.waiting.indexOf(waiter);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      };
      const onAbort = (): void => leave(new PromQLError('canceled', 'query was canceled in query queue'));
      const timer = setTimeout(
        () => leave(new PromQLError('timeout', 'query timed out in query queue')),
        Math.max(0, deadline - Date.now()),
      );
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(this.admitted());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private admitted(): () => void {
    this.running++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running--;
      this.waiting.shift()?.admit();
    };
  }
}
