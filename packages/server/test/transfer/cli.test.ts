import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SERVER_BIN, startTestServer, type TestServer, tempDir } from '../support/server.js';
import { POINTS, QUERIES, rangeAnswer, STEP_MS, seed, seedStart } from './seed.js';

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code: code ?? -1, stderr })));
}

/** A proxy that forwards the first `n` requests to `target` and answers 503 to the rest. */
async function failingProxy(target: string, n: number): Promise<{ url: string; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer(async (req, res) => {
    if (++count > n) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"Service Unavailable","message":"proxy gave up"}');
      return;
    }
    const body: Buffer[] = [];
    for await (const c of req) body.push(c as Buffer);
    const answer = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers: req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {},
      body: req.method === 'POST' ? Buffer.concat(body) : null,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('tinyobs export and tinyobs import', () => {
  let source: TestServer;
  let start = 0;
  const dir = tempDir('tinyobs-cli-transfer-');
  before(async () => {
    source = await startTestServer();
    start = seedStart();
    await seed(source.url, start);
  });
  after(async () => {
    await source.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const range = (s: number) => ['--start', String(s / 1000), '--end', String((s + POINTS * STEP_MS) / 1000)];

  it('an interrupted export resumes and ends byte for byte like an uninterrupted one', async () => {
    const whole = join(dir, 'whole.jsonl');
    const resumed = join(dir, 'resumed.jsonl');
    const common = ['--format', 'jsonl', '--window', '10m', ...range(start)];
    assert.equal((await run(['export', '--url', source.url, '--output', whole, ...common])).code, 0);

    const proxy = await failingProxy(source.url, 3);
    const first = await run(['export', '--url', proxy.url, '--output', resumed, ...common]);
    await proxy.close();
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /503/);
    assert.ok(existsSync(`${resumed}.progress`), 'the position is kept');

    const proxy2 = await failingProxy(source.url, 1_000);
    const second = await run(['export', '--url', proxy2.url, '--output', resumed, ...common]);
    await proxy2.close();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resuming at/);
    assert.equal(readFileSync(resumed, 'utf8'), readFileSync(whole, 'utf8'));
    assert.ok(!existsSync(`${resumed}.progress`));
  });

  for (const format of ['jsonl', 'csv', 'json', 'openmetrics'] as const) {
    it(`${format}: an interrupted import resumes; the target then answers like the source`, async () => {
      const file = join(dir, `data.${format === 'openmetrics' ? 'txt' : format}`);
      const exp = await run([
        'export',
        '--url',
        source.url,
        '--output',
        file,
        '--format',
        format,
        ...range(start),
      ]);
      assert.equal(exp.code, 0, exp.stderr);
      const target = await startTestServer();
      try {
        const proxy = await failingProxy(target.url, 2);
        // jsonl has a line per series and window, the others a line per sample.
        const chunk = format === 'jsonl' ? 4 : 700;
        const first = await run(['import', file, '--url', proxy.url, '--chunk', String(chunk)]);
        await proxy.close();
        assert.equal(first.code, 1, first.stderr);
        const second = await run(['import', file, '--url', target.url, '--chunk', String(chunk)]);
        assert.equal(second.code, 0, second.stderr);
        assert.match(second.stderr, new RegExp(`resuming after ${2 * chunk} records`));
        const end = start + POINTS * STEP_MS;
        for (const q of QUERIES) {
          assert.deepEqual(
            await rangeAnswer(target.url, q, start, end),
            await rangeAnswer(source.url, q, start, end),
            q,
          );
        }
      } finally {
        await target.stop();
      }
    });
  }

  it('reports rejected lines with their line in the file and exits 1', async () => {
    const file = join(dir, 'bad.csv');
    const t = start + STEP_MS;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `series,timestamp_ms,value\nok{a="1"},${t},1\nbad{,${t},2\nok{a="2"},${t},3\n`);
    const r = await run(['import', file, '--url', source.url, '--chunk', '2']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rejected: line 3: expected a label name/);
    assert.match(r.stderr, /imported 2 samples/);
    const usage = await run(['import', '--url', source.url]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /give exactly one FILE/);
  });
});
