/**
 * A real Prometheus for tests: started on 127.0.0.1 with a configuration the test writes, its
 * stderr kept for failure messages, and stopped (waited for, its directory removed) by `stop`.
 */

import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { tempDir } from './server.js';

export interface TestPrometheus {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** What Prometheus logged so far. */
  log(): string;
  /** SIGTERM, wait for the exit, remove the data directory. */
  stop(): Promise<void>;
}

export async function startPrometheus(bin: string, configYaml: string): Promise<TestPrometheus> {
  const dir = tempDir('tinyobs-prom-');
  const port = await freePort();
  writeFileSync(join(dir, 'prometheus.yml'), configYaml);
  const child = spawn(
    bin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    log += c;
  });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
