// Starts the real `tinyobs` server (the compiled one: `npx tsc -b packages/server` first) as a
// child process on a fixed free port, so that it can be stopped and restarted on the same port
// and data directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'packages/server/bin/tinyobs.js');

export interface RealServer {
  /** The port (fixed after the first start, so that restarts keep it). */
  readonly port: number;
  dataDir: string;
  readonly ingestUrl: string;
  /** Starts (or restarts) the process and waits for /-/ready. */
  start(): Promise<void>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** The text of GET /metrics. */
  metrics(): Promise<string>;
  /** Stops the process and removes the data directory. */
  dispose(): Promise<void>;
}

/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Creates a handle on a real server; call `start()` to launch it. `extraArgs` go to `serve`. */
export async function realServer(extraArgs: string[] = []): Promise<RealServer> {
  if (!existsSync(join(root, 'packages/server/dist/cli.js'))) {
    throw new Error('the tinyobs server is not built: run `npx tsc -b packages/server` (npm test does it)');
  }
  let port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyobs-sdk-e2e-'));
  const base = () => `http://127.0.0.1:${port}`;
  let started = false;
  let child: ChildProcess | undefined;
  let log = '';
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = once(c, 'exit');
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  };
  const launch = async () => {
    log = '';
    const c = spawn(
      process.execPath,
      [bin, 'serve', '--port', String(port), '--data-dir', dataDir, ...extraArgs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = c;
    c.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    c.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (c.exitCode !== null) {
        child = undefined;
        throw new Error(`tinyobs exited with ${c.exitCode}:\n${log}`);
      }
      try {
        // Bounded: whatever holds the port may accept and never answer.
        const res = await fetch(`${base()}/-/ready`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await stop();
    throw new Error(`tinyobs did not become ready in 20 s:\n${log}`);
  };
  return {
    get port() {
      return port;
    },
    dataDir,
    get ingestUrl() {
      return `${base()}/v1/ingest`;
    },
    async start() {
      if (child !== undefined) throw new Error('server already running');
      // The first start may find its free port taken meanwhile by another test process (ports
      // are found by binding 0 and releasing it): it moves to another. Restarts keep the port.
      for (let attempt = 1; !started && attempt < 3; attempt++) {
        try {
          await launch();
          started = true;
          return;
        } catch (err) {
          if (!/the port is in use/.test((err as Error).message)) throw err;
          port = await freePort();
        }
      }
      await launch();
      started = true;
    },
    stop,
    async metrics() {
      const res = await fetch(`${base()}/metrics`);
      return res.text();
    },
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of the sample `name{labels…}` in a Prometheus text exposition, or undefined. */
export function sampleValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const lm of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      got[lm[1]!] = lm[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}
