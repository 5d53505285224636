// The README's quick start, executed as a newcomer would: build the SDK's tarball with `npm pack`
// from a clean copy of its sources (no dist/), install it offline into a fresh project, type-check
// a TypeScript file against it, run the README's `app.mjs` against a real `tinyobs serve`, stop it
// with Ctrl-C (SIGINT), and run the README's three ready-made queries through /api/v1/query.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const sdkDir = join(root, 'packages/sdk');
const run = promisify(execFile);
// npm sits beside node in every Node.js distribution; PATH is the fallback.
const npm = existsSync(join(dirname(process.execPath), 'npm'))
  ? join(dirname(process.execPath), 'npm')
  : 'npm';

// The environment of a user's shell: none of the npm_* variables `npm test` sets for itself.
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}

/** What the README tells a newcomer to run: its `app.mjs` block and its three curl queries. */
function readmeQuickStart(): { app: string; queries: string[]; installLine: string } {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const app = /```js\n(\/\/ app\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(app, 'README.md has a ```js block starting with // app.mjs');
  const queries = [
    ...readme.matchAll(/^curl -sG localhost:8080\/api\/v1\/query --data-urlencode '(query=[^']+)'$/gm),
  ].map((m) => new URLSearchParams(m[1]).get('query')!);
  const installLine = /^npm install \.\.\/tinyobs-sdk-[\d.]+\.tgz/m.exec(readme)?.[0];
  assert.ok(installLine, 'README.md installs the tarball');
  return { app, queries, installLine };
}

// TypeScript against the installed package: every entry point's types resolve, label names are
// inferred, and the flush result is typed.
const CHECK_TS = `import { createTinyObs, type FlushResult, TinyObsError } from '@tinyobs/sdk';
import { expressMetrics } from '@tinyobs/sdk/express';
import { fastifyMetrics } from '@tinyobs/sdk/fastify';
import { instrumentHandler } from '@tinyobs/sdk/http';
import { collectRuntimeMetrics } from '@tinyobs/sdk/runtime';

const obs = createTinyObs({ service: 'typed', handleSignals: true });
const c = obs.counter({ name: 'jobs_total', labelNames: ['queue'] });
c.inc({ queue: 'a' });
// @ts-expect-error: 'nope' is not a label name of jobs_total
c.inc({ nope: 'x' });
export const result: Promise<FlushResult> = obs.flush();
export const isError = (e: unknown): boolean => e instanceof TinyObsError && e.result?.retrying === 0;
export const parts = [expressMetrics, fastifyMetrics, instrumentHandler, collectRuntimeMetrics];
`;

async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const bin = join(root, 'packages/server/bin/tinyobs.js');
  const child = spawn(
    process.execPath,
    [bin, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tinyobs did not start within 20 s:\n${log}`)), 20_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const m = /"msg":"listening","url":"([^"]+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tinyobs exited with ${code}:\n${log}`));
    });
  });
  return { url, child };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function query(base: string, q: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: q })}`);
  const body = (await res.json()) as {
    status: string;
    data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  assert.equal(body.status, 'success', `${q}: ${JSON.stringify(body)}`);
  assert.equal(body.data.resultType, 'vector', q);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

it('the README quick start works from npm pack to the three ready-made queries', async () => {
  const { app, queries, installLine } = readmeQuickStart();
  assert.equal(queries.length, 3, 'rate, error ratio and latency');
  const tmp = mkdtempSync(join(tmpdir(), 'tinyobs-newcomer-'));
  let server: ChildProcess | undefined;
  let appProcess: ChildProcess | undefined;
  try {
    // A fresh clone after `npm ci`: the SDK's sources and the shared compiler settings, the
    // workspace's installed tools, no build output.
    const clone = join(tmp, 'clone');
    mkdirSync(join(clone, 'packages/sdk'), { recursive: true });
    cpSync(join(root, 'tsconfig.base.json'), join(clone, 'tsconfig.base.json'));
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
    for (const f of ['package.json', 'tsconfig.json', 'README.md', 'LICENSE', 'src']) {
      cpSync(join(sdkDir, f), join(clone, 'packages/sdk', f), { recursive: true });
    }
    const packed = await run(npm, ['pack', '--pack-destination', tmp], {
      cwd: join(clone, 'packages/sdk'),
      env: userEnv(),
      timeout: 120_000,
    });
    const tarball = join(tmp, packed.stdout.trim().split('\n').pop()!);
    assert.ok(existsSync(tarball), `npm pack wrote ${tarball}`);

    // `npm init -y`, then the README's install line with the tarball's real path, offline:
    // the SDK has no dependencies, so the tarball alone suffices.
    const project = join(tmp, 'my-app');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0' }));
    const installArgs = installLine.split(' ').slice(1, -1);
    await run(npm, [...installArgs, '--offline', '--no-audit', '--cache', join(tmp, 'npm-cache'), tarball], {
      cwd: project,
      env: userEnv(),
      timeout: 120_000,
    });
    const installed = JSON.parse(
      readFileSync(join(project, 'node_modules/@tinyobs/sdk/package.json'), 'utf8'),
    ) as { name: string; dependencies?: object };
    assert.equal(installed.name, '@tinyobs/sdk');
    assert.equal(installed.dependencies, undefined, 'no runtime dependencies');

    // Types, in parallel with the run below: the workspace's TypeScript and Node types, as a
    // TypeScript project would have them installed.
    writeFileSync(join(project, 'check.ts'), CHECK_TS);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['check.ts'],
      }),
    );
    const typecheck = run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      timeout: 120_000,
    }).then(
      () => '',
      (err: { stdout?: string; message: string }) => err.stdout || err.message,
    );

    // The server as `npm start` runs it, and the README's app pointed at it by the server's
    // address alone (the SDK adds /v1/ingest).
    const srv = await startServer(join(tmp, 'data'));
    server = srv.child;
    writeFileSync(join(project, 'app.mjs'), app);
    const child = spawn(process.execPath, ['app.mjs'], {
      cwd: project,
      env: userEnv({ PORT: '0', TINYOBS_ENDPOINT: srv.url }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    appProcess = child;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let out = '';
    child.stdout!.setEncoding('utf8');
    const appUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`app.mjs printed no address:\n${out}`)), 20_000);
      child.stdout!.on('data', (chunk: string) => {
        out += chunk;
        const m = /listening on http:\/\/localhost:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${m[1]}`);
        }
      });
    });
    const traffic = async () => {
      for (let i = 0; i < 10; i++) assert.equal((await fetch(`${appUrl}/hello`)).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await fetch(`${appUrl}/fail`)).status, 500);
    };
    const total = 'sum(http_requests_total{service="my-app"})';
    await traffic();
    // The first push (every 5 s) carries the first 12 requests.
    const deadline = Date.now() + 20_000;
    while ((await query(srv.url, total))[0]?.value !== 12) {
      assert.ok(Date.now() < deadline, 'the first push arrived within 20 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await traffic();
    // Ctrl-C: handleSignals pushes the last 12 before the process ends by the signal.
    child.kill('SIGINT');
    const [code, signal] = await exited;
    assert.deepEqual({ code, signal }, { code: null, signal: 'SIGINT' });
    assert.equal((await query(srv.url, total))[0]?.value, 24);
    const series = await query(srv.url, 'http_requests_total{service="my-app"}');
    assert.deepEqual(series.map((s) => `${s.metric.route} ${s.metric.status} ${s.value}`).sort(), [
      '/fail 500 4',
      '/hello 200 20',
    ]);
    assert.ok(series.every((s) => s.metric.instance !== undefined && s.metric.method === 'GET'));

    const [rate, errorRatio, p95] = await Promise.all(queries.map((q) => query(srv.url, q)));
    assert.deepEqual(rate!.map((r) => r.metric.route).sort(), ['/fail', '/hello'], queries[0]);
    assert.ok(
      rate!.every((r) => r.value > 0),
      JSON.stringify(rate),
    );
    assert.equal(errorRatio!.length, 1, queries[1]);
    // 2 of each 12 requests failed; both series were pushed at the same instants.
    assert.ok(Math.abs(errorRatio![0]!.value - 2 / 12) < 0.05, JSON.stringify(errorRatio));
    assert.equal(p95!.length, 1, queries[2]);
    assert.ok(p95![0]!.value > 0 && p95![0]!.value <= 10, JSON.stringify(p95));

    assert.equal(await typecheck, '', 'the installed package type-checks');
  } finally {
    await stop(appProcess);
    await stop(server);
    rmSync(tmp, { recursive: true, force: true });
  }
});
