/**
 * Helpers of the crash test against the real server (`tinyobs serve`), shared by
 * `server-crash.test.ts` and `scripts/crash-test.ts --server`.
 */

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { crashLabels, crashSamples } from './crash-check.js';

const serverDir = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(serverDir, 'bin', 'tinyobs.js');
export const built = existsSync(join(serverDir, 'dist', 'cli.js'));

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) return { child, url };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error('cannot start the server: /-/ready never answered 200');
}

/** Posts batch after batch until the server dies; returns the last batch answered with 200. */
export async function writeUntilKilled(
  url: string,
  base: number,
  nSeries: number,
  killAfterMs: number,
  child: ChildProcess,
) {
  let acked = -1;
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  for (let k = 0; ; k++) {
    const metrics = Array.from({ length: nSeries }, (_, i) => {
      const { __name__, ...labels } = crashLabels(base, i);
      return crashSamples(base, k, i).map(([timestamp, value]) => ({
        name: __name__,
        type: 'gauge',
        value,
        labels,
        timestamp,
      }));
    }).flat();
    try {
      const res = await fetch(`${url}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metrics }),
      });
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      acked = k;
    } catch (err) {
      if ((err as Error).message.startsWith('ingest answered')) throw err;
      break; // connection refused or reset: the server is gone
    }
  }
  await exited;
  return acked;
}
