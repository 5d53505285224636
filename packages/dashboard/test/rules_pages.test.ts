/**
 * The Alerts and Rules pages in Debian's chromium against a real server with a rule file: the
 * firing alert with its labels and annotation, its expression graphed with the threshold, and
 * each rule's health and last evaluation. Skips loudly without chromium outside CI.
 */

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { postJson, spawnServer, tempDir } from '../../server/test/support/server.js';
import { requireBinary } from '../../server/test/support/system.js';

declare const document: any;
type HTMLElement = any;

const RULES = `groups:
  - name: api
    interval: 1s
    rules:
      - record: service:queue_depth:max
        expr: max by (service) (queue_depth)
      - alert: QueueTooDeep
        expr: queue_depth > 100
        labels:
          severity: page
        annotations:
          summary: "queue of {{ $labels.service }} at {{ $value }}"
`;

describe('Alerts and Rules pages', () => {
  it('show the firing alert with its graph and threshold, and every rule with its health', async (t) => {
    const chromiumPath = requireBinary(t, 'chromium', 'chromium');
    if (chromiumPath === null) return;
    const dir = tempDir('tinyobs-rules-pages-');
    const rules = join(dir, 'rules.yml');
    writeFileSync(rules, RULES);
    const server = await spawnServer(['--data-dir', join(dir, 'data'), '--rules', rules]);
    const ctx = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--headless', '--no-first-run'],
      viewport: { width: 1400, height: 900 },
    });
    const problems: string[] = [];
    try {
      const now = Date.now();
      const metrics = [];
      for (let i = 10; i >= 0; i--)
        metrics.push({
          name: 'queue_depth',
          type: 'gauge',
          value: i < 3 ? 250 : 20,
          labels: { service: 'billing' },
          timestamp: now - i * 15_000,
        });
      assert.equal((await postJson(`${server.url}/v1/ingest`, { metrics })).status, 200);
      // The page reads the rules once (and again on refresh): let the group evaluate the pushed
      // data first, or the page may show the state from before the push.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const alerts = (await (await fetch(`${server.url}/api/v1/alerts`)).json()) as {
          data: { alerts: { state: string }[] };
        };
        if (alerts.data.alerts.some((a) => a.state === 'firing')) break;
        assert.ok(Date.now() < deadline, 'the alert did not fire within 20 s of the push');
        await new Promise((r) => setTimeout(r, 200));
      }
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));

      await page.goto(`${server.url}/#/alerts?range=15m`);
      await page.waitForSelector('.alert-rule[data-state="firing"] .alert-table', { timeout: 20_000 });
      const text = (await page.locator('.alert-rule').textContent()) ?? '';
      assert.match(text, /QueueTooDeep/);
      assert.match(text, /queue_depth > 100/);
      assert.match(text, /service="billing"/);
      assert.match(text, /severity="page"/);
      assert.match(text, /queue of billing at 250/);
      assert.match(text, /2\.5e\+02/);
      // The expression's left side and the threshold: two lines.
      await page.waitForFunction(
        () => {
          const p = document.querySelector('.alert-rule .panel') as HTMLElement;
          return p?.dataset.state === 'ready' && Number(p.querySelector('.chart')?.dataset.lines) === 2;
        },
        undefined,
        { timeout: 20_000 },
      );
      assert.match((await page.locator('.alert-rule .panel').textContent()) ?? '', /threshold > 100/);

      await page.goto(`${server.url}/#/rules`);
      await page.waitForSelector('.rule-table tbody tr', { timeout: 20_000 });
      const rows = await page.locator('.rule-table tbody tr').allInnerTexts();
      assert.equal(rows.length, 2);
      assert.match(rows[0]!, /record: service:queue_depth:max[\s\S]*ok[\s\S]*s ago/);
      assert.match(rows[1]!, /alert: QueueTooDeep[\s\S]*ok/);
      assert.match((await page.locator('.rule-group header').textContent()) ?? '', /every 1s/);
      assert.deepEqual(problems, []);
    } finally {
      await ctx.close();
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
