/**
 * A StatsD port that cannot be bound stops the start cleanly: the UDP port is bound before HTTP
 * listens, so HTTP never comes up; what was opened (the database) is closed again; the process
 * exits non-zero with a message naming the port and the flag.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from './support/ports.js';
import { SERVER_BIN, startTestServer, tempDir } from './support/server.js';

describe('StatsD port in use', () => {
  let taken: Socket;
  let port: number;
  before(async () => {
    taken = createSocket('udp4');
    await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
    port = (taken.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  it('fails the start before HTTP listens and closes the database', async () => {
    const dataDir = tempDir();
    try {
      const httpPort = await freePort();
      await assert.rejects(startTestServer({ dataDir, port: httpPort, statsdPort: port }), (err: Error) => {
        assert.match(err.message, new RegExp(`StatsD on UDP 127\\.0\\.0\\.1:${port}: the port is in use`));
        assert.match(err.message, /--statsd-port/);
        return true;
      });
      await assert.rejects(fetch(`http://127.0.0.1:${httpPort}/-/healthy`), 'HTTP must not be listening');
      // The database was closed (its lock released): the same directory opens again.
      const again = await startTestServer({ dataDir });
      await again.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the tinyobs process exits non-zero naming the port, without ever listening', async () => {
    const dataDir = tempDir();
    try {
      const child = spawn(
        process.execPath,
        [SERVER_BIN, 'serve', '--port', '0', '--data-dir', dataDir, '--statsd-port', String(port)],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.notEqual(code, 0, stderr);
      assert.notEqual(code, null, stderr);
      assert.match(stderr, new RegExp(`cannot listen for StatsD on UDP 127\\.0\\.0\\.1:${port}`));
      assert.match(stderr, /--statsd-port/);
      assert.doesNotMatch(stderr, /"msg":"listening"/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an HTTP port in use is reported the same way', async () => {
    const first = await startTestServer();
    const dataDir = tempDir();
    try {
      await assert.rejects(
        startTestServer({ dataDir, port: first.port }),
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.port}: the port is in use \\(--port\\)`),
      );
    } finally {
      await first.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
