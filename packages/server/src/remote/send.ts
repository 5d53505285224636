/**
 * One remote write request with the retries the specification asks for
 * (../shared/specs/prometheus-remote-write-1.0.md, "Retries & Backoff"): 5xx, 429 and network
 * errors are retried with exponential backoff (30 ms doubling to 5 s, Prometheus' defaults),
 * waiting at least what a `Retry-After` header says; any other 4xx is final (the batch is
 * dropped and counted by the caller); 2xx is success.
 */

import type { ProtoWriter } from '../ingest/protobuf/writer.js';
import { encodeWriteRequestV1, type WriteSeries } from '../ingest/remotewrite/encode.js';
import { compressSnappy } from '../ingest/remotewrite/snappy.js';
import { VERSION } from '../version.js';

const MIN_BACKOFF_MS = 30;
const MAX_BACKOFF_MS = 5_000;
/** A request that takes longer is abandoned and retried (Prometheus' remote_timeout: 30 s). */
const REQUEST_TIMEOUT_MS = 30_000;

export type SendOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: number; readonly message: string };

export interface SendHooks {
  /** Called for each failed attempt that will be retried. */
  retrying(status: number, message: string): void;
  /** True once the caller gives up (stop, or the batch fell past the maximum lag). */
  cancelled(): boolean;
}

/** The snappy-compressed 1.0 `WriteRequest` body of a batch. */
export function encodeBody(series: readonly WriteSeries[], w: ProtoWriter): Buffer {
  return compressSnappy(encodeWriteRequestV1(series, [], w));
}

/**
 * Posts `body` until it is accepted, refused for good (4xx other than 429) or cancelled (then
 * resolves `{ ok: false, status: 0 }`).
 */
export async function sendWithRetries(
  url: string,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  hooks: SendHooks,
): Promise<SendOutcome> {
  let backoff = MIN_BACKOFF_MS;
  for (;;) {
    if (hooks.cancelled()) return { ok: false, status: 0, message: 'cancelled' };
    let status = 0;
    let message = '';
    let retryAfterMs = 0;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
          'user-agent': `tinyobs/${VERSION}`,
        },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      status = res.status;
      message = status >= 300 ? (await res.text()).slice(0, 300) : '';
      if (status < 300) {
        await res.body?.cancel();
        return { ok: true };
      }
      if (status < 500 && status !== 429) return { ok: false, status, message };
      retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    } catch (err) {
      message = (err as Error).message;
    }
    hooks.retrying(status, message);
    await cancellableSleep(Math.max(backoff, retryAfterMs), hooks);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  }
}

/** `Retry-After` in seconds or as an HTTP date, in ms (0 when absent or unreadable). */
export function parseRetryAfter(v: string | null): number {
  if (v === null) return 0;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}

/** Sleeps up to `ms`, waking early (checked every 100 ms) once the caller cancels. */
async function cancellableSleep(ms: number, hooks: SendHooks): Promise<void> {
  const until = Date.now() + ms;
  while (!hooks.cancelled()) {
    const left = until - Date.now();
    if (left <= 0) return;
    await new Promise((r) => setTimeout(r, Math.min(left, 100)));
  }
}
