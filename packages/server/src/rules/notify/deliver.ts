/**
 * Posting a JSON payload to a receiver with retries, as Alertmanager's retry stage: network
 * errors, 5xx and 429 are retried with exponential backoff until a deadline; other 4xx are not
 * (the receiver refused the payload; sending it again would not help).
 */

import type { Clock } from '../clock.js';

export interface DeliverOptions {
  readonly clock: Clock;
  /** No retry starts after this time (ms since epoch). */
  readonly deadline: number;
  /** Timeout of one request (real time). */
  readonly timeoutMs?: number;
  readonly firstBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onFailure?: (attempt: number, reason: string, willRetry: boolean) => void;
}

/** Posts `body` until it is accepted (true) or retries are over (false). */
export async function deliver(url: string, body: unknown, opts: DeliverOptions): Promise<boolean> {
  const text = JSON.stringify(body);
  let backoff = opts.firstBackoffMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryable = true;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'TinyObs' },
        body: text,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const answer = (await res.text()).slice(0, 200);
      if (res.ok) return true;
      reason = `HTTP ${res.status}${answer === '' ? '' : `: ${answer}`}`;
      retryable = res.status >= 500 || res.status === 429;
    } catch (err) {
      reason = (err as Error).message;
    }
    const willRetry = retryable && opts.clock.now() + backoff <= opts.deadline;
    opts.onFailure?.(attempt, reason, willRetry);
    if (!willRetry) return false;
    await opts.clock.sleep(backoff);
    backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 30_000);
  }
}
