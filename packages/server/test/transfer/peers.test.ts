import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '../support/ports.js';
import { startTestServer, type TestServer, tempDir } from '../support/server.js';
import { requireBinary } from '../support/system.js';
import { POINTS, QUERIES, rangeAnswer, STEP_MS, seed, seedStart } from './seed.js';

/** Starts a peer process on 127.0.0.1 and stops it (and waits for it) when the test ends. */
async function startPeer(
  bin: string,
  args: string[],
  ready: string,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`${bin} to answer ${ready} (${err.slice(-500)})`, async () =>
    (await fetch(ready)).ok ? true : undefined,
  );
  return {
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

type Matrix = { metric: Record<string, string>; values: [number, string][] }[];

function assertClose(actual: unknown, expected: unknown, what: string): void {
  const a = actual as Matrix;
  const e = expected as Matrix;
  assert.deepEqual(
    a.map((s) => s.metric),
    e.map((s) => s.metric),
    what,
  );
  assert.ok(e.length > 0, `${what}: no series`);
  e.forEach((s, i) => {
    const got = a[i]!.values;
    assert.deepEqual(
      got.map((p) => p[0]),
      s.values.map((p) => p[0]),
      `${what}: timestamps`,
    );
    s.values.forEach(([, v], j) => {
      const g = Number(got[j]![1]);
      assert.ok(Math.abs(g - Number(v)) <= 1e-9 * Math.max(1, Math.abs(Number(v))), `${what}: ${g} != ${v}`);
    });
  });
}

describe('with real peers', () => {
  let server: TestServer;
  let start = 0;
  before(async () => {
    server = await startTestServer();
    start = seedStart();
    await seed(server.url, start);
  });
  after(() => server.stop());

  it('--query-upstream answers the Prometheus API from VictoriaMetrics', async (t) => {
    const vmBin = requireBinary(t, 'victoria-metrics', 'victoria-metrics');
    if (vmBin === null) return;
    const dir = tempDir('tinyobs-vm-');
    const port = await freePort();
    const vmUrl = `http://127.0.0.1:${port}`;
    const vm = await startPeer(
      vmBin,
      [
        `-storageDataPath=${dir}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-retentionPeriod=100y',
        '-search.disableCache',
      ],
      `${vmUrl}/health`,
    );
    let front: TestServer | null = null;
    t.after(() => front?.stop());
    try {
      // History moves across with an export from TinyObs, imported as VictoriaMetrics' own lines.
      const exported = await (await fetch(`${server.url}/v1/export?format=jsonl`)).text();
      const imp = await fetch(`${vmUrl}/api/v1/import`, { method: 'POST', body: exported });
      assert.equal(imp.status, 204, await imp.text());
      await fetch(`${vmUrl}/internal/force_flush`);

      // A second, empty TinyObs in front of VictoriaMetrics answers as the first one does locally.
      front = await startTestServer({ queryUpstream: vmUrl });
      const end = start + POINTS * STEP_MS;
      await waitFor('VictoriaMetrics to show the import', async () =>
        JSON.stringify(await rangeAnswer(front!.url, 'temp_celsius', start, end)) !== '[]' ? true : undefined,
      );
      // VictoriaMetrics ends a series right after its last sample where Prometheus looks back
      // 5 minutes, and keeps about 12 significant digits: compare inside the data, numerically.
      const [from, to] = [start + 5 * 60_000, end - 5 * 60_000];
      for (const q of ['temp_celsius', 'sum by (route) (req_total)', QUERIES[4]!]) {
        assertClose(await rangeAnswer(front.url, q, from, to), await rangeAnswer(server.url, q, from, to), q);
      }
      const labels = (await (await fetch(`${front.url}/api/v1/label/__name__/values`)).json()) as {
        data: string[];
      };
      assert.ok(labels.data.includes('lat_seconds_bucket'), JSON.stringify(labels));
      // A form POST goes through too (Grafana sends those).
      const post = await fetch(`${front.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: 'count(req_total)', time: String(end / 1000) }),
      });
      const v = (await post.json()) as { data: { result: { value: [number, string] }[] } };
      assert.equal(v.data.result[0]?.value[1], '2');
      // Local endpoints stay local.
      assert.equal((await fetch(`${front.url}/v1/health`)).status, 200);
    } finally {
      await vm.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    // With the upstream gone, the API says so with a 502 naming it, and the server stays up.
    const down = await fetch(`${front!.url}/api/v1/query?query=up`);
    assert.equal(down.status, 502);
    assert.match(await down.text(), new RegExp(`cannot query upstream http://127\\.0\\.0\\.1:${port}`));
    assert.equal((await fetch(`${front!.url}/v1/health`)).status, 200);
  });

  it('a real Prometheus federates selected series from GET /federate', async (t) => {
    const promBin = requireBinary(t, 'prometheus', 'prometheus');
    if (promBin === null) return;
    // Federation serves the newest sample within 5 minutes: push current values.
    const now = Date.now();
    const push = await fetch(`${server.url}/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        metrics: [
          {
            name: 'fed_up',
            type: 'gauge',
            value: 1,
            labels: { service: 'a', job: 'pushed-job' },
            timestamp: now,
          },
          {
            name: 'fed_up',
            type: 'gauge',
            value: 0,
            labels: { service: 'b', job: 'pushed-job' },
            timestamp: now,
          },
          { name: 'other', type: 'gauge', value: 5, labels: { service: 'a' }, timestamp: now },
        ],
      }),
    });
    assert.equal(push.status, 200);
    const text = await (await fetch(`${server.url}/federate?match[]=${encodeURIComponent('fed_up')}`)).text();
    assert.match(text, new RegExp(`^fed_up\\{job="pushed-job",service="a"\\} 1 ${now}$`, 'm'));
    assert.doesNotMatch(text, /other/);

    const dir = tempDir('tinyobs-fed-');
    const port = await freePort();
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: federate
    honor_labels: true
    metrics_path: /federate
    params: { 'match[]': ['{__name__="fed_up"}'] }
    static_configs: [{ targets: ['${new URL(server.url).host}'] }]
`,
    );
    const prom = await startPeer(
      promBin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      `http://127.0.0.1:${port}/-/ready`,
    );
    try {
      const result = await waitFor('Prometheus to federate fed_up', async () => {
        const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=fed_up`)).json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        return r.data.result.length === 2 ? r.data.result : undefined;
      });
      // honor_labels keeps the pushed job instead of the scrape job's name.
      const byService = Object.fromEntries(result.map((s) => [s.metric.service, s]));
      assert.equal(byService.a?.metric.job, 'pushed-job');
      assert.equal(byService.a?.value[1], '1');
      assert.equal(byService.b?.value[1], '0');
    } finally {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
