// The demo against the real server: traffic flows, the series the README promises arrive, and
// the route label carries templates, never raw URLs.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createTinyObs } from '@tinyobs/sdk';
import { collectRuntimeMetrics } from '@tinyobs/sdk/runtime';
import { createDemoServer } from '../src/app.js';
import { startTinyObsServer } from '../src/server-process.js';
import { startTraffic } from '../src/traffic.js';

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

it('the demo service fills the server with HTTP, business and runtime series', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyobs-demo-test-'));
  const server = await startTinyObsServer(await freePort(), dataDir, { quiet: true });
  const obs = createTinyObs({
    service: 'demo-shop',
    endpoint: `${server.url}/v1/ingest`,
    flushIntervalMs: 0,
    shutdownOnExit: false,
  });
  const stopRuntime = collectRuntimeMetrics(obs);
  const app = createDemoServer(obs);
  try {
    app.listen(0, '127.0.0.1');
    await once(app, 'listening');
    const base = `http://127.0.0.1:${(app.address() as net.AddressInfo).port}`;
    const stopTraffic = startTraffic(base, { users: 8, thinkMs: 5 });
    await new Promise((r) => setTimeout(r, 2_000));
    await stopTraffic();
    // The generator's scanner requests are random (2 %); one sure unmatched request.
    await (await fetch(`${base}/wp-admin/setup.php?id=123`)).arrayBuffer();
    await obs.flush();
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const lines = text.split('\n').filter((l) => l.includes('service="demo-shop"'));
    const has = (re: RegExp) =>
      assert.ok(
        lines.some((l) => re.test(l)),
        `no line matches ${re}`,
      );
    has(/^http_requests_total\{.*route="\/api\/users".*\} [1-9]/);
    has(/^http_requests_total\{.*route="\/api\/users\/:id".*\}/);
    has(/^http_requests_total\{.*route="<unmatched>".*status="404".*\}/);
    has(/^http_request_duration_seconds_bucket\{.*le="\+Inf".*\}/);
    has(/^active_users\{.*\} \d+/);
    has(/^nodejs_heap_size_used_bytes\{/);
    assert.ok(
      !lines.some((l) => /route="\/api\/users\/\d/.test(l) || l.includes('wp-')),
      'no raw URL in a route label',
    );
  } finally {
    stopRuntime();
    app.close();
    await obs.shutdown({ timeoutMs: 2_000 });
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
