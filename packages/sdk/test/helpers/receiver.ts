// A tiny ingest endpoint that records what it is sent and answers as a test scripts it; used for
// the wire-format and fault tests (500, 429, 400) that the real server cannot be told to produce.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { gunzipSync } from 'node:zlib';

export interface WirePoint {
  name: string;
  type: string;
  value: number;
  labels: Record<string, string>;
  timestamp: string;
  help?: string;
  unit?: string;
}

export interface Received {
  at: number;
  headers: http.IncomingHttpHeaders;
  metrics: WirePoint[];
  status: number;
  /** Why a body that is not the wire format was refused. */
  error?: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Receiver {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** Starts the receiver; `answer(i, metrics)` decides the reply to the i-th request (0-based), 200 by default. */
export async function startReceiver(
  answer: (i: number, metrics: WirePoint[]) => Answer = () => ({ status: 200 }),
): Promise<Receiver> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { metrics: WirePoint[] };
      try {
        let raw = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
        body = JSON.parse(raw.toString('utf8')) as { metrics: WirePoint[] };
      } catch (err) {
        // Recorded and refused, as the real server would: a throw here would surface after the
        // test that sent it, as an uncaught exception with no hint of which request it was.
        const message = `${req.method} ${req.url}: ${(err as Error).message}`;
        requests.push({ at: Date.now(), headers: req.headers, metrics: [], status: 400, error: message });
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'bad_request', message }));
        return;
      }
      const a = answer(requests.length, body.metrics);
      requests.push({ at: Date.now(), headers: req.headers, metrics: body.metrics, status: a.status });
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(
        a.body ??
          (a.status === 200 ? `{"status":"success","count":${body.metrics.length}}` : '{"error":"x"}'),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/ingest`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `startReceiver` whose receivers are all closed when the calling test file ends. */
export function receiverPool(): (...args: Parameters<typeof startReceiver>) => Promise<Receiver> {
  const open: Receiver[] = [];
  after(async () => {
    await Promise.all(open.map((r) => r.close()));
  });
  return async (...args) => {
    const r = await startReceiver(...args);
    open.push(r);
    return r;
  };
}

/** The value of the point named `name` whose labels include `labels`, in one request. */
export function pointValue(
  metrics: WirePoint[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const p = metrics.find(
    (m) => m.name === name && Object.entries(labels).every(([k, v]) => m.labels[k] === v),
  );
  return p?.value;
}
