import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from './support/ports.js';
import { postJson, SERVER_BIN, spawnServer, startTestServer, tempDir } from './support/server.js';

const dir = tempDir('tinyobs-rules-srv-');
after(() => rmSync(dir, { recursive: true, force: true }));

const RULES = `groups:
  - name: fast
    interval: 1s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: Down
        expr: up == 0
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} of {{ $labels.service }} is down ({{ $value }})"
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return res.json();
}

describe('rules in the server', () => {
  it('serves /api/v1/rules and /api/v1/alerts in Prometheus shapes, and reloads on POST /-/reload', async () => {
    const rules = file('srv.yml', RULES);
    const srv = await startTestServer({ rules: [join(dir, 'srv*.yml')] });
    try {
      const now = Date.now();
      const push = await postJson(`${srv.url}/v1/ingest`, {
        metrics: [
          {
            name: 'up',
            type: 'gauge',
            value: 0,
            labels: { service: 'api', instance: 'a:1' },
            timestamp: now,
          },
          {
            name: 'up',
            type: 'gauge',
            value: 1,
            labels: { service: 'api', instance: 'b:1' },
            timestamp: now,
          },
        ],
      });
      assert.equal(push.status, 200);
      const body = await waitFor('a firing alert', async () => {
        const b = await getJson(`${srv.url}/api/v1/alerts`);
        return b.data.alerts.length > 0 ? b : undefined;
      });
      assert.equal(body.status, 'success');
      const [alert] = body.data.alerts;
      assert.equal(alert.state, 'firing');
      assert.equal(alert.value, '0e+00');
      assert.equal(alert.labels.alertname, 'Down');
      assert.equal(alert.labels.instance, 'a:1');
      assert.equal(alert.annotations.summary, 'a:1 of api is down (0)');
      assert.match(alert.activeAt, /^\d{4}-\d\d-\d\dT/);

      const r = await getJson(`${srv.url}/api/v1/rules`);
      const [group] = r.data.groups;
      assert.equal(group.name, 'fast');
      assert.equal(group.file, rules);
      assert.equal(group.interval, 1);
      assert.deepEqual(
        group.rules.map((x: any) => [x.type, x.name, x.health, x.lastError]),
        [
          ['recording', 'job:up:sum', 'ok', ''],
          ['alerting', 'Down', 'ok', ''],
        ],
      );
      const down = group.rules[1];
      assert.equal(down.state, 'firing');
      assert.equal(down.duration, 0);
      assert.equal(down.query, 'up == 0');
      assert.equal(down.alerts.length, 1);
      assert.equal(typeof down.evaluationTime, 'number');
      assert.ok(Date.parse(down.lastEvaluation) > now - 60_000);
      const onlyRecord = await getJson(`${srv.url}/api/v1/rules?type=record`);
      assert.deepEqual(
        onlyRecord.data.groups[0].rules.map((x: any) => x.name),
        ['job:up:sum'],
      );
      assert.equal((await fetch(`${srv.url}/api/v1/rules?type=bogus`)).status, 400);

      // The recording rule's series is queryable like any other.
      const q = await getJson(`${srv.url}/api/v1/query?query=job:up:sum`);
      assert.equal(q.data.result[0].value[1], '1');

      // A bad file: the reload is refused with the reason; the old rules stay.
      writeFileSync(rules, RULES.replace('up == 0', 'up = 0'));
      const bad = await fetch(`${srv.url}/-/reload`, { method: 'POST' });
      assert.equal(bad.status, 422);
      const why = (await bad.json()) as { message: string };
      assert.match(why.message, /srv\.yml:8:15: group "fast", rule 2, "Down": could not parse expression/);
      assert.equal((await getJson(`${srv.url}/api/v1/rules`)).data.groups[0].rules.length, 2);

      writeFileSync(rules, RULES.replace('- alert: Down', '- alert: Gone'));
      assert.equal((await fetch(`${srv.url}/-/reload`, { method: 'POST' })).status, 200);
      const names = (await getJson(`${srv.url}/api/v1/rules`)).data.groups[0].rules.map((x: any) => x.name);
      assert.deepEqual(names, ['job:up:sum', 'Gone']);
    } finally {
      await srv.stop();
    }
  });

  it('notifies --alert-webhook receivers from the running server', async () => {
    const bodies: any[] = [];
    const rx = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        res.end();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook`;
    const srv = await startTestServer({
      rules: [file('hook.yml', RULES)],
      alertWebhooks: [hook],
      alertGroupWaitMs: 0,
    });
    try {
      await postJson(`${srv.url}/v1/ingest`, {
        metrics: [{ name: 'up', type: 'gauge', value: 0, labels: { service: 'api', instance: 'a:1' } }],
      });
      const body = await waitFor('a webhook notification', async () => bodies[0]);
      assert.equal(body.status, 'firing');
      assert.equal(body.groupKey, '{}:{alertname="Down"}');
      assert.equal(body.externalURL, srv.url);
      assert.equal(body.alerts[0].labels.instance, 'a:1');
      assert.equal(body.alerts[0].annotations.summary, 'a:1 of api is down (0)');
    } finally {
      await srv.stop();
      rx.close();
    }
  });

  it('stops start-up on a malformed rule file with a message naming file, line, group and rule', () => {
    const bad = file(
      'broken.yml',
      RULES.replace('record: job:up:sum', 'record: "job up"').replace('1s', 'soon'),
    );
    const r = spawnSync(
      process.execPath,
      [SERVER_BIN, '--rules', bad, '--port', '0', '--data-dir', join(dir, 'd1')],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /broken\.yml:3:15: group "fast": invalid interval "soon"/);
    assert.match(
      r.stderr,
      /broken\.yml:5:17: group "fast", rule 1, "job up": invalid recording rule name: job up/,
    );
  });

  it('runs check-rules and test-rules as commands, exiting 1 on a problem', () => {
    const data = new URL('../src/rules/unittest/testdata/', import.meta.url).pathname;
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [SERVER_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    const good = run('check-rules', join(data, 'rules.yml'));
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /SUCCESS: 4 rules found/);
    const bad = run('check-rules', file('check.yml', RULES.replace('up == 0', 'up ==')));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /check\.yml:8:15: group "fast", rule 2, "Down": could not parse expression/);
    assert.equal(run('test-rules', join(data, 'alerts-test.yml')).status, 0);
    const wrong = run('test-rules', join(data, 'wrong-expectation.yml'));
    assert.equal(wrong.status, 1);
    assert.match(wrong.stdout, /FAILED:/);
  });

  it('reloads on SIGHUP', async () => {
    const rules = file('hup.yml', RULES);
    const data = join(dir, 'd2');
    const srv = await spawnServer(['--rules', rules, '--data-dir', data]);
    try {
      writeFileSync(rules, RULES.replace('- alert: Down', '- alert: AfterHup'));
      srv.child.kill('SIGHUP');
      await waitFor('the reloaded rules', async () => {
        const b = await getJson(`${srv.url}/api/v1/rules`);
        return b.data.groups[0].rules[1].name === 'AfterHup' ? true : undefined;
      });
    } finally {
      srv.child.kill('SIGTERM');
      assert.equal(await srv.exited, 0);
    }
  });
});
