import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../src/log.js';
import { labelsFromRecord } from '../src/model/labels.js';
import { Engine } from '../src/promql/engine/engine.js';
import { ManualClock } from '../src/rules/clock.js';
import { fingerprint } from '../src/rules/fnv.js';
import { RuleManager } from '../src/rules/manager.js';
import { AlertmanagerNotifier } from '../src/rules/notify/alertmanager.js';
import { engineQueryFunc } from '../src/rules/query.js';
import { Head } from '../src/tsdb/head/head.js';
import { freePort, waitFor } from './support/ports.js';
import { tempDir } from './support/server.js';
import { requireBinary } from './support/system.js';

const RULES = `groups:
  - name: am
    interval: 15s
    rules:
      - alert: DiskFull
        expr: disk_used_ratio > 0.9
        labels:
          severity: ticket
        annotations:
          summary: "disk of {{ $labels.instance }} is {{ $value | humanizePercentage }} full"
`;

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  status: { state: string };
  generatorURL: string;
}

describe('alerts to a real Alertmanager (v2 API)', () => {
  it('hands firing alerts to Alertmanager and resolves them there', async (t) => {
    const bin = requireBinary(t, 'prometheus-alertmanager', 'prometheus-alertmanager');
    if (bin === null) return;
    const dir = tempDir('tinyobs-am-');
    let am: ChildProcess | null = null;
    let exited: Promise<unknown> = Promise.resolve();
    try {
      writeFileSync(join(dir, 'am.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n');
      const port = await freePort();
      am = spawn(
        bin,
        [
          `--config.file=${join(dir, 'am.yml')}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        { stdio: 'ignore' },
      );
      exited = new Promise((r) => am!.once('exit', r));
      const base = `http://127.0.0.1:${port}`;
      await waitFor('alertmanager to be ready', async () =>
        (await fetch(`${base}/-/ready`)).ok ? true : undefined,
      );
      const list = async () => (await (await fetch(`${base}/api/v2/alerts`)).json()) as AmAlert[];

      const rules = join(dir, 'rules.yml');
      writeFileSync(rules, RULES);
      // Near real time (Alertmanager compares endsAt with its own clock; a resolved alert must end
      // in its past), driven by hand.
      const clock = new ManualClock(Date.now() - 60_000);
      const head = new Head();
      const manager = new RuleManager({
        store: head,
        query: engineQueryFunc(new Engine(), head),
        log: silentLogger,
        clock,
        externalURL: () => 'http://tinyobs.test',
        notifier: new AlertmanagerNotifier([base], clock, silentLogger),
      });
      await manager.load([rules]);
      const push = async (v: number) => {
        const app = head.appender();
        app.append(0, labelsFromRecord({ __name__: 'disk_used_ratio', instance: 'db1' }), clock.now(), v);
        await app.commit();
      };
      await push(0.95);
      await clock.advance(15_000);
      const firing = await waitFor('the alert in Alertmanager', async () => {
        const alerts = await list();
        return alerts.length > 0 ? alerts : undefined;
      });
      const labels = { alertname: 'DiskFull', instance: 'db1', severity: 'ticket' };
      assert.equal(firing.length, 1);
      assert.deepEqual(firing[0]!.labels, labels);
      assert.deepEqual(firing[0]!.annotations, { summary: 'disk of db1 is 95% full' });
      assert.equal(firing[0]!.status.state, 'active');
      assert.equal(firing[0]!.fingerprint, fingerprint(labels), 'same fingerprint as Alertmanager computes');
      assert.equal(
        firing[0]!.generatorURL,
        'http://tinyobs.test/graph?g0.expr=disk_used_ratio%20%3E%200.9&g0.tab=1',
      );

      await push(0.5);
      await clock.advance(15_000);
      await waitFor('the alert to resolve', async () => ((await list()).length === 0 ? true : undefined));
      await manager.stop();
    } finally {
      am?.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
