import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '../support/ports.js';
import { postJson, spawnServer, startTestServer, tempDir } from '../support/server.js';
import { requireBinary } from '../support/system.js';
import { parseJsonl, seriesKey, startVm, type Vm } from './victoria.js';

interface Pushed {
  /** `series key → [t, v][]` in time order. */
  readonly expected: Map<string, [number, number][]>;
  readonly count: number;
}

/** Pushes `points` samples of `series` series of metric `name` through the native JSON API. */
async function push(
  url: string,
  name: string,
  series: number,
  points: number,
  start: number,
  extra: Record<string, string> = {},
  into?: Pushed,
): Promise<Pushed> {
  const expected = into?.expected ?? new Map<string, [number, number][]>();
  let count = into?.count ?? 0;
  for (let from = 0; from < points; from += 100) {
    const metrics: unknown[] = [];
    for (let i = from; i < Math.min(points, from + 100); i++) {
      for (let s = 0; s < series; s++) {
        const labels = { instance: `host-${s}`, ...extra };
        const t = start + i * 1000;
        const v = s * 1000 + i + 0.25;
        metrics.push({ name, type: 'gauge', value: v, labels, timestamp: t });
        const key = seriesKey({ __name__: name, ...labels });
        expected.set(key, [...(expected.get(key) ?? []), [t, v]]);
        count++;
      }
    }
    const r = await postJson(`${url}/v1/ingest`, { metrics });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  }
  return { expected, count };
}

interface TargetJson {
  name: string;
  pending_samples: number;
  sent_samples: number;
  failed_requests: number;
  dropped_samples: number;
  lag_seconds: number;
  protobuf_message: string;
}

async function targets(url: string): Promise<TargetJson[]> {
  return ((await (await fetch(`${url}/v1/stats`)).json()) as { remote_write: TargetJson[] }).remote_write;
}

/** Waits until no target has anything pending and returns their stats. */
async function drained(url: string, timeoutMs = 30_000): Promise<TargetJson[]> {
  return waitFor(
    'remote write to drain',
    async () => {
      const ts = await targets(url);
      return ts.every((t) => t.pending_samples === 0) ? ts : undefined;
    },
    timeoutMs,
  );
}

describe('remote write forwarding to a real VictoriaMetrics', () => {
  let vm: Vm | null = null;
  let vmDir = '';
  before(async (t) => {
    const bin = requireBinary(t as never, 'victoria-metrics', 'victoria-metrics');
    if (bin === null) return;
    vmDir = tempDir('tinyobs-vm-');
    vm = await startVm(bin, vmDir, await freePort());
  });
  after(async () => {
    await vm?.stop();
    if (vmDir !== '') rmSync(vmDir, { recursive: true, force: true });
  });

  it('sends every sample pushed through the native API and OTLP exactly once', async (t) => {
    if (vm === null) return t.skip('victoria-metrics is not installed');
    const server = await startTestServer({ remoteWriteUrls: [vm.writeUrl] });
    try {
      const pushed = await push(server.url, 'fwd_basic', 5, 300, Date.now() - 600_000);
      const [target] = await drained(server.url);
      assert.equal(target!.sent_samples, pushed.count);
      assert.equal(target!.dropped_samples, 0);
      assert.equal(target!.lag_seconds, 0);
      // VictoriaMetrics reads a 2.0 body as an empty 1.0 one (204, no Written header): auto fell back.
      assert.equal(target!.protobuf_message, 'prometheus.WriteRequest');
      assert.deepEqual(await vm.export('{__name__="fwd_basic"}'), pushed.expected);
      // OTLP (JSON) too: VictoriaMetrics holds what TinyObs stored, once.
      const t0 = Date.now() - 300_000;
      const dataPoints = Array.from({ length: 50 }, (_, i) => ({
        timeUnixNano: `${t0 + i * 1000}000000`,
        asDouble: i / 4,
      }));
      const otlp = await postJson(`${server.url}/v1/metrics`, {
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
            scopeMetrics: [{ metrics: [{ name: 'fwd_otlp', gauge: { dataPoints } }] }],
          },
        ],
      });
      assert.equal(otlp.status, 200, JSON.stringify(otlp.json));
      await drained(server.url);
      const local = parseJsonl(
        await (await fetch(`${server.url}/v1/export?format=jsonl&match[]=fwd_otlp&start=0`)).text(),
      );
      assert.equal([...local.values()].flat().length, 50);
      assert.deepEqual(await vm.export('{__name__="fwd_otlp"}'), local);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(
        metrics,
        new RegExp(`tinyobs_remote_write_sent_samples_total\\{[^}]*\\} ${pushed.count + 50}\\n`),
      );
    } finally {
      await server.stop();
    }
  });

  it('a target answering 400 drops and counts while a matcher-filtered target gets its series', async (t) => {
    if (vm === null) return t.skip('victoria-metrics is not installed');
    let refused = 0;
    const bad: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        refused++;
        res.writeHead(400).end('bad labels');
      });
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', () => r()));
    const badUrl = `http://127.0.0.1:${(bad.address() as { port: number }).port}/api/v1/write`;
    const dir = tempDir();
    const config = join(dir, 'remote.yml');
    writeFileSync(
      config,
      `remote_write:\n  - url: ${badUrl}\n    name: refuses\n    bearer_token: t0k\n  - url: ${vm.writeUrl}\n    name: vm-team-a\n    headers: { X-Scope-OrgID: a }\n    match: ['{team="a"}']\n    shards: 2\n    max_samples_per_send: 100\n`,
    );
    const server = await startTestServer({ remoteWriteConfig: config });
    try {
      const start = Date.now() - 600_000;
      const a = await push(server.url, 'fwd_filtered', 3, 200, start, { team: 'a' });
      const b = await push(server.url, 'fwd_filtered', 3, 200, start, { team: 'b' });
      const [refuses, vmA] = await drained(server.url);
      assert.equal(refuses!.name, 'refuses');
      assert.equal(refuses!.dropped_samples, a.count + b.count);
      assert.equal(refuses!.sent_samples, 0);
      assert.ok(refused > 0);
      assert.equal(vmA!.sent_samples, a.count);
      assert.equal(vmA!.dropped_samples, 0);
      assert.deepEqual(await vm.export('{__name__="fwd_filtered"}'), a.expected);
    } finally {
      await server.stop();
      bad.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill -9 of TinyObs, during an outage and after a drain, sends nothing twice', async (t) => {
    if (vm === null) return t.skip('victoria-metrics is not installed');
    const dataDir = tempDir();
    const args = ['--data-dir', dataDir, '--remote-write-url', vm.writeUrl];
    let child = await spawnServer(args);
    const kill9 = async (): Promise<void> => {
      child.child.kill('SIGKILL');
      assert.equal(await child.exited, 'SIGKILL');
    };
    try {
      const start = Date.now() - 900_000;
      let pushed = await push(child.url, 'fwd_kill', 4, 100, start);
      await drained(child.url);
      // Killed while the target is down: the unsent samples wait in the log.
      await vm.stop();
      const before = pushed.count;
      pushed = await push(child.url, 'fwd_kill', 4, 100, start + 100_000, {}, pushed);
      await waitFor('a failed request', async () =>
        (await targets(child.url))[0]!.failed_requests > 0 ? true : undefined,
      );
      await kill9();
      await vm.start();
      child = await spawnServer(args);
      const [resumed] = await drained(child.url);
      assert.equal(resumed!.sent_samples, pushed.count - before, 'only what was not acknowledged is sent');
      // Killed right after a drain: the saved position holds, nothing is sent again.
      await kill9();
      child = await spawnServer(args);
      await new Promise((r) => setTimeout(r, 1000));
      const [idle] = await drained(child.url);
      assert.equal(idle!.sent_samples, 0);
      assert.equal(idle!.dropped_samples, 0);
      assert.deepEqual(await vm.export('{__name__="fwd_kill"}'), pushed.expected);
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('survives the target down for 30 s and TinyObs restarted meanwhile: every sample once', async (t) => {
    if (vm === null) return t.skip('victoria-metrics is not installed');
    const dataDir = tempDir();
    const args = ['--data-dir', dataDir, '--remote-write-url', vm.writeUrl, '--persist-interval', '1s'];
    let child = await spawnServer(args);
    try {
      const start = Date.now() - 900_000;
      const pushed = await push(child.url, 'fwd_outage', 4, 100, start);
      await drained(child.url);
      const down = Date.now();
      await vm.stop();
      await push(child.url, 'fwd_outage', 4, 100, start + 100_000, {}, pushed);
      await waitFor('a failed request', async () =>
        (await targets(child.url))[0]!.failed_requests > 0 ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 2500)); // persistences run meanwhile: the log must keep the unsent part
      child.child.kill('SIGTERM');
      assert.equal(await child.exited, 0);
      child = await spawnServer(args);
      await push(child.url, 'fwd_outage', 4, 100, start + 200_000, {}, pushed);
      const [during] = await targets(child.url);
      assert.ok(during!.pending_samples > 0, 'samples wait while the target is down');
      await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - down))));
      await vm.start();
      const [target] = await drained(child.url, 40_000);
      assert.equal(target!.dropped_samples, 0);
      assert.deepEqual(await vm.export('{__name__="fwd_outage"}'), pushed.expected);
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
