/**
 * One remote write request with the retries the specification asks for
 * (../shared/specs/prometheus-remote-write-1.0.md, "Retries & Backoff", the same in 2.0): 5xx,
 * 429 and network errors are retried with exponential backoff (30 ms doubling to 5 s,
 * Prometheus' defaults), waiting at least what a `Retry-After` header says; any other 4xx is
 * final (the batch is dropped and counted by the caller); 2xx is success. The headers of each
 * message are the specification's: 1.0 `Content-Type: application/x-protobuf` and version
 * 0.1.0, 2.0 `;proto=io.prometheus.write.v2.Request` and version 2.0.0.
 */

import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { VERSION } from '../version.js';
import type { WireMessage } from './encode.js';

const WIRE_HEADERS: Readonly<Record<WireMessage, Readonly<Record<string, string>>>> = {
  v1: { 'content-type': 'application/x-protobuf', 'x-prometheus-remote-write-version': '0.1.0' },
  v2: {
    'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    'x-prometheus-remote-write-version': '2.0.0',
  },
};

const MIN_BACKOFF_MS = 30;
const MAX_BACKOFF_MS = 5_000;
/** A request that takes longer is abandoned and retried (Prometheus' remote_timeout: 30 s). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * How a request ended. `written`: the 2.0 receiver's `X-Prometheus-Remote-Write-Samples-Written`
 * (on every answer to 2.0, errors included), null when absent: a 1.x receiver never sends it.
 */
export type SendOutcome =
  | { readonly ok: true; readonly written: number | null }
  | {
      readonly ok: false;
      readonly status: number;
      readonly message: string;
      readonly written: number | null;
    };

export interface SendHooks {
  /** Called for each failed attempt that will be retried. */
  retrying(status: number, message: string): void;
  /** True once the caller gives up (stop, or the batch fell past the maximum lag). */
  cancelled(): boolean;
}

/**
 * Posts `body` until it is accepted, refused for good (4xx other than 429) or cancelled (then
 * resolves `{ ok: false, status: 0 }`).
 */
export async function sendWithRetries(
  url: string,
  headers: Readonly<Record<string, string>>,
  wire: WireMessage,
  body: Buffer,
  hooks: SendHooks,
): Promise<SendOutcome> {
  let backoff = MIN_BACKOFF_MS;
  for (;;) {
    if (hooks.cancelled()) return { ok: false, status: 0, message: 'cancelled', written: null };
    let status = 0;
    let message = '';
    let retryAfterMs = 0;
    try {
      const res = await post(url, { ...headers, ...WIRE_HEADERS[wire], ...FIXED_HEADERS }, body);
      status = res.status;
      message = res.text;
      const w = header(res.headers, 'x-prometheus-remote-write-samples-written');
      const written = w === null || !/^\d+$/.test(w) ? null : Number(w);
      if (status < 300) return { ok: true, written };
      if (status < 500 && status !== 429) return { ok: false, status, message, written };
      retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'));
    } catch (err) {
      message = (err as Error).message;
    }
    hooks.retrying(status, message);
    await cancellableSleep(Math.max(backoff, retryAfterMs), hooks);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  }
}

const FIXED_HEADERS = { 'content-encoding': 'snappy', 'user-agent': `tinyobs/${VERSION}` };

/**
 * Keep-alive connections shared by the targets (idle sockets do not keep the process alive).
 * `node:http` rather than `fetch`: fetch's per-request cost was a third of the forwarder's CPU
 * in a profile, for one small POST at a time.
 */
const AGENTS = {
  'http:': new HttpAgent({ keepAlive: true }),
  'https:': new HttpsAgent({ keepAlive: true }),
};

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The start of the body (error messages). */
  readonly text: string;
}

/** One POST; rejects on a network error or when the target is silent for the request timeout. */
function post(url: string, headers: Readonly<Record<string, string>>, body: Buffer): Promise<Reply> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
        agent: AGENTS[u.protocol as keyof typeof AGENTS],
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size >= 300) return;
          chunks.push(c);
          size += c.length;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8').slice(0, 300),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function header(h: IncomingHttpHeaders, name: string): string | null {
  const v = h[name];
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
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
