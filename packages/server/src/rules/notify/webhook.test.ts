import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../log.js';
import { labelsFromRecord } from '../../model/labels.js';
import { Engine } from '../../promql/engine/engine.js';
import { Head } from '../../tsdb/head/head.js';
import type { AlertingRule } from '../alerting.js';
import { ManualClock } from '../clock.js';
import { fingerprint } from '../fnv.js';
import { RuleManager } from '../manager.js';
import { engineQueryFunc } from '../query.js';
import { WebhookNotifier } from './webhook.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyobs-webhook-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real HTTP receiver: records every body; answers with the next status of `statuses` (then 200). */
async function receiver(
  statuses: number[],
): Promise<{ url: string; bodies: unknown[]; codes: number[]; server: Server }> {
  const bodies: unknown[] = [];
  const codes: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const code = statuses.shift() ?? 200;
      codes.push(code);
      res.writeHead(code).end(code === 200 ? '' : 'receiver is down');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, codes, server };
}

const RULES = `groups:
  - name: web
    interval: 10s
    rules:
      - alert: HighX
        expr: x > 10
        for: 30s
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} is high"
`;

describe('webhook notifications', () => {
  it('sends the firing notification (again after a 500) and the resolved one, each exactly once', async () => {
    const rx = await receiver([500]);
    try {
      const file = join(dir, 'web.yml');
      writeFileSync(file, RULES);
      const START = Date.UTC(2026, 0, 1);
      const clock = new ManualClock(START);
      const head = new Head();
      const externalURL = () => 'http://tinyobs.test';
      const notifier = new WebhookNotifier({
        urls: [rx.url],
        groupBy: ['alertname'],
        groupWaitMs: 30_000,
        groupIntervalMs: 5 * 60_000,
        repeatIntervalMs: 4 * 3_600_000,
        externalURL,
        clock,
        log: silentLogger,
      });
      const manager = new RuleManager({
        store: head,
        query: engineQueryFunc(new Engine(), head),
        log: silentLogger,
        clock,
        externalURL,
        notifier,
      });
      await manager.load([file]);
      const rule = manager.list()[0]!.rules[0] as AlertingRule;
      let firedAt = 0;
      let resolvedAt = 0;
      // x is high from 1m to 10m; then watch for 40 more minutes (resolved alerts are resent for 15m).
      for (let t = START; t < START + 50 * 60_000; t += 10_000) {
        const app = head.appender();
        const high = t >= START + 60_000 && t < START + 10 * 60_000;
        app.append(0, labelsFromRecord({ __name__: 'x', instance: 'i1', job: 'api' }), t, high ? 20 : 1);
        await app.commit();
        await clock.advance(10_000);
        const a = [...rule.active.values()][0];
        if (a?.state === 'firing') firedAt = a.firedAt;
        if (a?.state === 'inactive' && resolvedAt === 0) resolvedAt = a.resolvedAt;
      }
      assert.ok(firedAt > 0 && resolvedAt > firedAt);
      const labels = { alertname: 'HighX', instance: 'i1', job: 'api', severity: 'page' };
      const annotations = { summary: 'i1 is high' };
      const payload = (status: string, endsAt: number) => ({
        receiver: 'webhook',
        status,
        alerts: [
          {
            status,
            labels,
            annotations,
            startsAt: new Date(firedAt).toISOString(),
            endsAt: new Date(endsAt).toISOString(),
            generatorURL: 'http://tinyobs.test/graph?g0.expr=x%20%3E%2010&g0.tab=1',
            fingerprint: fingerprint(labels),
          },
        ],
        groupLabels: { alertname: 'HighX' },
        commonLabels: labels,
        commonAnnotations: annotations,
        externalURL: 'http://tinyobs.test',
        version: '4',
        groupKey: '{}:{alertname="HighX"}',
        truncatedAlerts: 0,
      });
      // The first notification goes out after the group wait; the alert was last sent to the
      // notifier when it fired, valid for 4 minutes.
      const firing = payload('firing', firedAt + 4 * 60_000);
      assert.deepEqual(rx.codes, [500, 200, 200]);
      assert.deepEqual(rx.bodies, [firing, firing, payload('resolved', resolvedAt)]);
      await manager.stop();
    } finally {
      rx.server.close();
    }
  });

  it('groups alerts by the configured labels and repeats an unchanged group after the repeat interval', async () => {
    const rx = await receiver([]);
    try {
      const clock = new ManualClock(Date.UTC(2026, 0, 1));
      const n = new WebhookNotifier({
        urls: [rx.url],
        groupBy: ['team'],
        groupWaitMs: 10_000,
        groupIntervalMs: 60_000,
        repeatIntervalMs: 10 * 60_000,
        externalURL: () => '',
        clock,
        log: silentLogger,
      });
      const alert = (name: string, team: string) => ({
        labels: { alertname: name, team },
        annotations: {},
        startsAt: new Date(clock.now()).toISOString(),
        endsAt: new Date(clock.now() + 3_600_000).toISOString(),
        generatorURL: '',
      });
      n.send([alert('A', 'db'), alert('B', 'db'), alert('C', 'web')]);
      await clock.advance(10_000);
      const groups = (rx.bodies as { groupKey: string; alerts: unknown[] }[]).map((b) => [
        b.groupKey,
        b.alerts.length,
      ]);
      assert.deepEqual(groups.sort(), [
        ['{}:{team="db"}', 2],
        ['{}:{team="web"}', 1],
      ]);
      // Nothing changes: no notification until the repeat interval (10m) has passed.
      await clock.advance(9 * 60_000);
      assert.equal(rx.bodies.length, 2);
      await clock.advance(60_000);
      assert.equal(rx.bodies.length, 4);
      await n.stop();
    } finally {
      rx.server.close();
    }
  });
});
