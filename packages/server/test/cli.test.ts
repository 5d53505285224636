import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { SERVER_BIN, spawnServer, tempDir } from './support/server.js';

describe('the tinyobs command', () => {
  it('prints help naming every setting with its environment variable', () => {
    const r = spawnSync(process.execPath, [SERVER_BIN, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const s of ['--host', '--port', '--data-dir', 'TINYOBS_PORT, PORT', 'TINYOBS_DATA_DIR'])
      assert.ok(r.stdout.includes(s), s);
  });

  it('prints help in two columns: no flag runs into its description, no line wider than 100', () => {
    const r = spawnSync(process.execPath, [SERVER_BIN, '--help'], { encoding: 'utf8' });
    const lines = r.stdout.split('\n');
    const flags = lines.filter((l) => l.startsWith('  --'));
    assert.ok(flags.length >= 20, `${flags.length} flag lines`);
    const columns = new Set<number>();
    for (const l of flags) {
      const m = /^ {2}--[a-z0-9-]+(?: <value>…?)? {2,}(?=\S)/.exec(l);
      assert.ok(m, `flag runs into its description: ${JSON.stringify(l)}`);
      columns.add(m[0].length);
    }
    assert.equal(columns.size, 1, 'every description starts in the same column');
    for (const l of lines) assert.ok(l.length <= 100, `${l.length} characters: ${l}`);
  });

  it('stops start-up with a message naming an invalid setting', () => {
    const r = spawnSync(process.execPath, [SERVER_BIN, 'serve', '--port', 'eighty'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /invalid option --port="eighty": must be an integer/);
    const e = spawnSync(process.execPath, [SERVER_BIN], {
      encoding: 'utf8',
      env: { ...process.env, TINYOBS_PORT: '-1' },
    });
    assert.equal(e.status, 2);
    assert.match(e.stderr, /invalid environment variable TINYOBS_PORT="-1"/);
  });

  it('exits on SIGTERM after cutting chunks (the thread that re-encodes them keeps no process alive)', async () => {
    const dir = tempDir();
    try {
      const srv = await spawnServer(['--data-dir', dir]);
      // 130 samples a series: each cuts a chunk at 120, which goes to the re-encoding thread.
      const now = Date.now();
      const metrics = Array.from({ length: 130 }, (_, i) =>
        ['a', 'b'].map((k) => ({
          name: 'cut_total',
          type: 'counter',
          labels: { k },
          value: i,
          timestamp: now - (130 - i) * 1000,
        })),
      ).flat();
      const res = await fetch(`${srv.url}/v1/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metrics }),
      });
      assert.equal(res.status, 200, await res.text());
      srv.child.kill('SIGTERM');
      const timeout = new Promise((r) =>
        setTimeout(() => r('still running 10 s after SIGTERM'), 10_000).unref(),
      );
      const code = await Promise.race([srv.exited, timeout]);
      if (code !== 0) srv.child.kill('SIGKILL');
      assert.equal(code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs JSON lines, answers health and readiness, and on SIGTERM finishes an in-flight request then exits 0', async () => {
    const dir = tempDir();
    try {
      const srv = await spawnServer(['--data-dir', dir]);
      const health = (await (await fetch(`${srv.url}/v1/health`)).json()) as Record<string, unknown>;
      assert.equal(health.status, 'ok');
      assert.match(String(health.version), /^\d+\.\d+\.\d+/);
      assert.equal(typeof health.uptime_seconds, 'number');
      assert.equal((await fetch(`${srv.url}/-/ready`)).status, 200);

      // Start a request, send half its body, signal the server, then finish the body.
      const body = JSON.stringify({ metrics: [{ name: 'inflight_total', type: 'counter', value: 1 }] });
      const answer = new Promise<number>((resolve, reject) => {
        const req = request(
          `${srv.url}/v1/ingest`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          srv.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 300);
        }, 100);
      });
      assert.equal(await answer, 200);
      assert.equal(await srv.exited, 0);
      const lines = srv.stderr().trim().split('\n');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
      assert.ok(lines.some((l) => JSON.parse(l).msg === 'shutting down'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
