/**
 * The original TinyObs Go SDK (../shared/clients/tinyobs-go), built with Debian's golang-go,
 * pushes per-flush histogram deltas to the real server; the server must store them cumulative so
 * that PromQL over them agrees with what the program observed.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestServer, type TestServer, tempDir } from './support/server.js';
import { requireBinary } from './support/system.js';

const run = promisify(execFile);
const GO_SDK = new URL('../../../../shared/clients/tinyobs-go', import.meta.url).pathname;

describe('the original Go SDK histograms', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('come out cumulative: histogram_quantile and increase agree with what the program observed', async (t) => {
    const go = requireBinary(t, 'go', 'golang-go');
    if (go === null) return;
    const dir = tempDir('tinyobs-go-');
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const src = join(dir, 'src');
    cpSync(GO_SDK, src, { recursive: true });
    mkdirSync(join(src, 'cmd', 'histcheck'));
    copyFileSync(
      new URL('./fixtures/gohist_main.go', import.meta.url).pathname,
      join(src, 'cmd', 'histcheck', 'main.go'),
    );
    const env = {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOCACHE: join(dir, 'cache'),
      GOPATH: join(dir, 'gopath'),
    };
    await run(go, ['build', '-o', join(dir, 'histcheck'), './cmd/histcheck'], { cwd: src, env });
    const { stdout } = await run(join(dir, 'histcheck'), [], {
      env: { ...env, TINYOBS_ENDPOINT: `${server.url}/v1/ingest` },
      timeout: 60_000,
    });
    const observed = JSON.parse(stdout) as { count: number; median: number };
    assert.equal(observed.count, 180);

    const q = async (expr: string): Promise<number> => {
      const r = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
      assert.equal(body.data.result.length, 1, `${expr}: ${JSON.stringify(body)}`);
      return Number(body.data.result[0]!.value[1]);
    };
    // Cumulative: the newest _count and +Inf bucket are everything observed.
    assert.equal(await q('job_duration_seconds_count{service="gohist"}'), observed.count);
    assert.equal(await q('job_duration_seconds_bucket{service="gohist", le="+Inf"}'), observed.count);
    // increase() extrapolates to the window edges by at most half a flush interval on each side.
    const inc = await q('increase(job_duration_seconds_count{service="gohist"}[1m])');
    assert.ok(
      inc >= observed.count * 0.8 && inc <= observed.count * 1.25,
      `increase ${inc} vs ${observed.count}`,
    );
    // The estimated median falls in the bucket of the observed median (0.15 → (0.1, 0.25]).
    const p50 = await q(
      'histogram_quantile(0.5, sum by (le) (rate(job_duration_seconds_bucket{service="gohist"}[1m])))',
    );
    assert.ok(observed.median > 0.1 && observed.median <= 0.25);
    assert.ok(
      p50 > 0.1 && p50 <= 0.25,
      `histogram_quantile(0.5) = ${p50}, observed median ${observed.median}`,
    );
  });
});
