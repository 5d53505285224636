// Sits between the SDK and the real server and answers some requests itself (500, 429, …)
// without forwarding them, so that fault tests still check totals on the real server.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  url: string;
  /** Status of each request as the SDK saw it, in order. */
  statuses: number[];
  close(): Promise<void>;
}

/** `fault(i)` returns a status to answer the i-th request with, or undefined to forward it. */
export async function startFaultProxy(
  target: string,
  fault: (i: number) => number | undefined,
): Promise<FaultProxy> {
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const injected = fault(statuses.length);
      if (injected !== undefined) {
        statuses.push(injected);
        res.writeHead(injected, { 'content-type': 'application/json' });
        res.end('{"error":"Injected","message":"fault proxy"}');
        return;
      }
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'content-encoding', 'authorization']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      try {
        const up = await fetch(target, { method: 'POST', headers, body: Buffer.concat(chunks) });
        const body = await up.text();
        statuses.push(up.status);
        res.writeHead(up.status, { 'content-type': 'application/json' });
        res.end(body);
      } catch {
        statuses.push(502);
        res.writeHead(502);
        res.end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ingest`,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
