// Starts the tinyobs server (the built one from the workspace) as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A running tinyobs server process. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `tinyobs serve` and resolves once `/-/ready` answers 200; `quiet` hides its log (not its errors). */
export async function startTinyObsServer(
  port: number,
  dataDir: string,
  opts: { quiet?: boolean } = {},
): Promise<ServerProcess> {
  const require = createRequire(import.meta.url);
  // The package exports only its library entry (dist/index.js); the command sits in ../bin.
  const bin = join(dirname(require.resolve('tinyobs')), '..', 'bin', 'tinyobs.js');
  // Detached: Ctrl-C in a terminal signals the whole foreground group, and the server must
  // outlive the demo's last flush; the demo stops it itself (and on exit, whatever happens).
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir], {
    stdio: ['ignore', opts.quiet ? 'ignore' : 'inherit', 'inherit'],
    detached: true,
  });
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`tinyobs exited with code ${child.exitCode} (is it built? npm run build)`);
    if (await isReady(url)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (Date.now() >= deadline) {
    child.kill('SIGTERM');
    throw new Error('tinyobs did not become ready within 30 s');
  }
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** True when a TinyObs server at `url` answers its readiness probe. */
export async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/-/ready`);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false; // not listening (yet)
  }
}
