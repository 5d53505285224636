import http from 'node:http';
import https from 'node:https';

/** The server's answer to one request, or the network error that prevented one. */
export interface SendResult {
  /** HTTP status; 0 when the request failed before an answer (network error, timeout). */
  status: number;
  /** Milliseconds asked for by a `Retry-After` header, if any. */
  retryAfterMs: number | undefined;
  /** The response body (truncated) or the network error's message. */
  message: string;
}

/** Sends one request body; never rejects. */
export type Sender = (body: Buffer, headers: Record<string, string>) => Promise<SendResult>;

/**
 * A sender over node:http(s) with a keep-alive agent. Node unrefs idle keep-alive sockets, so
 * the connection pool never holds the process open.
 */
export function httpSender(endpoint: URL, timeoutMs: number): Sender {
  const mod = endpoint.protocol === 'https:' ? https : http;
  const agent = new mod.Agent({ keepAlive: true, maxSockets: 2 });
  return (body, headers) =>
    new Promise<SendResult>((resolve) => {
      const req = mod.request(
        endpoint,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': String(body.length) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < 4096) chunks.push(c);
            size += c.length;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfterMs: parseRetryAfter(res.headers['retry-after']),
              message: Buffer.concat(chunks).toString('utf8').slice(0, 4096),
            }),
          );
          res.on('error', (err) => resolve({ status: 0, retryAfterMs: undefined, message: err.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => resolve({ status: 0, retryAfterMs: undefined, message: err.message }));
      req.end(body);
    });
}

/** Parses `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
