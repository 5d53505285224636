/**
 * The data directory's lock is held by the kernel: of two `tinyobs serve` started on one
 * directory at the same moment exactly one runs (20 rounds), and a SIGKILLed server that is still
 * a zombie (its parent has not reaped it) does not stop the next start, as a pid file would.
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SERVER_BIN, spawnServer } from '../support/server.js';

async function stop(server: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  server.child.kill('SIGKILL');
  await server.exited;
}

/** The state letter of a process (`R`, `S`, `Z` …) from /proc, or null when it is gone. */
function procState(pid: number): string | null {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

describe('the data directory lock', () => {
  it('lets exactly one of two servers started at once on one directory run (20 rounds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-lock-'));
    try {
      for (let round = 0; round < 20; round++) {
        const data = join(dir, String(round % 2)); // fresh and reused directories alike
        const both = await Promise.allSettled([
          spawnServer(['--data-dir', data]),
          spawnServer(['--data-dir', data]),
        ]);
        const running = both.filter((r) => r.status === 'fulfilled');
        const refused = both.filter((r) => r.status === 'rejected');
        for (const r of running) await stop(r.value);
        assert.equal(running.length, 1, `round ${round}: ${running.length} servers ran`);
        assert.match(String(refused[0]!.reason), /another process has it open/, `round ${round}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not held by a SIGKILLed server that is still a zombie', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-lock-'));
    // The server's parent is a shell that execs into `sleep`, which never reaps it.
    const parent = spawn(
      'sh',
      [
        '-c',
        '"$0" "$@" & echo $!; exec sleep 120',
        process.execPath,
        SERVER_BIN,
        'serve',
        '--port',
        '0',
        '--data-dir',
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    try {
      let out = '';
      let err = '';
      parent.stdout!.on('data', (c: Buffer) => {
        out += c;
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start:\n${err}`)), 15_000);
        parent.stderr!.on('data', (c: Buffer) => {
          err += c;
          if (err.includes('"msg":"listening"')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const pid = Number(out.trim());
      assert.ok(pid > 0);
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 200 && procState(pid) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(procState(pid), 'Z', 'the killed server is a zombie');
      const next = await spawnServer(['--data-dir', dir]);
      assert.equal(procState(pid), 'Z', 'still a zombie while the next server runs');
      await stop(next);
    } finally {
      parent.kill('SIGKILL');
      await parentExited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
