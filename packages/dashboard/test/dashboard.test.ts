/**
 * The dashboard end to end: Debian's chromium, driven by playwright-core, against a real server
 * (in this process, on 127.0.0.1 and a free port) fed through the real JSON ingest.
 *
 * Needs the built dashboard (`npm test` builds first) and /usr/bin/chromium: outside CI a
 * missing chromium skips loudly; with CI=true it fails. Screenshots are made on every run; with
 * TINYOBS_SCREENSHOTS=1 they replace docs/screenshots/*.png (the README shows them).
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { DASHBOARD_DIR } from '../../server/src/api/static.js';
import { type ChildServer, spawnServer, tempDir } from '../../server/test/support/server.js';
import { requireBinary } from '../../server/test/support/system.js';
import { backfill, catchUp, ingest, ServiceSim, XSS } from './seed.js';

// The callbacks below run in the browser; this file is type-checked without the DOM library.
declare const document: any;
declare const window: any;
declare const innerHeight: number;
type HTMLElement = any;

const SHOTS = new URL('../../../docs/screenshots/', import.meta.url).pathname;
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--headless',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

describe('dashboard in a browser', { concurrency: false }, () => {
  let server: ChildServer | undefined;
  let dataDir = '';
  let ctx: BrowserContext | undefined;
  let page: Page;
  let userDir = '';
  let shotDir = '';
  let chromiumPath: string | null = null;
  /** The simulated services of the first test, and the time of their last push. */
  let sims: ServiceSim[] = [];
  let seededUntil = 0;
  /** Console errors, uncaught exceptions and failed responses of every page, all tests long. */
  const problems: string[] = [];

  before(async (t) => {
    chromiumPath = requireBinary(t as never, 'chromium', 'chromium');
  });

  const skipIfNoBrowser = (t: { skip: (m: string) => void }) => {
    if (chromiumPath === null) {
      t.skip('chromium is missing');
      return true;
    }
    return false;
  };

  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    p.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
  };

  /** Waits until every chart panel inside `scope` has drawn at least one line. */
  const chartsDrawn = (scope: string) =>
    page.waitForFunction(
      (sel) => {
        const panels = [...document.querySelectorAll(`${sel} .panel`)] as HTMLElement[];
        return (
          panels.length > 0 &&
          panels.every(
            (p) => p.dataset.state === 'ready' && Number(p.querySelector('.chart')?.dataset.lines) > 0,
          )
        );
      },
      scope,
      { timeout: 20_000 },
    );

  const noXss = async (where: string) => {
    assert.equal(
      await page.evaluate(() => (window as { __xss?: number }).__xss),
      undefined,
      `script ran on ${where}`,
    );
    assert.equal(await page.locator('img[src="x"]').count(), 0, `label value became an <img> on ${where}`);
    assert.ok(
      (await page.getByText(XSS, { exact: false }).count()) > 0,
      `label value not shown as text on ${where}`,
    );
  };

  before(async () => {
    if (chromiumPath === null) return;
    assert.ok(
      existsSync(join(DASHBOARD_DIR, 'index.html')),
      `the dashboard is not built in ${DASHBOARD_DIR}: run npm run build`,
    );
    // A child process, not this one: the browser's load must not stall the test's own timers.
    dataDir = tempDir('tinyobs-dashboard-');
    server = await spawnServer(['--host', '127.0.0.1', '--data-dir', dataDir]);
    userDir = tempDir('tinyobs-chromium-');
    shotDir = process.env.TINYOBS_SCREENSHOTS === '1' ? SHOTS : tempDir('tinyobs-shots-');
    mkdirSync(shotDir, { recursive: true });
    ctx = await chromium.launchPersistentContext(userDir, {
      executablePath: chromiumPath,
      headless: true,
      args: ARGS,
      viewport: { width: 1400, height: 900 },
      colorScheme: 'light',
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    watch(page);
  });

  after(async () => {
    await ctx?.close();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    if (shotDir && shotDir !== SHOTS) rmSync(shotDir, { recursive: true, force: true });
  });

  it('serves the page with a strict content security policy and caches hashed assets', async (t) => {
    if (skipIfNoBrowser(t)) return;
    const res = await fetch(`${server!.url}/`);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    const js = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(await res.text())?.[1];
    assert.ok(js, 'index.html names its hashed bundle');
    const asset = await fetch(`${server!.url}${js}`);
    assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${server!.url}/assets/nope.js`)).status, 404);
  });

  it('shows how to push the first metric, then switches to the overview by itself', async (t) => {
    if (skipIfNoBrowser(t)) return;
    await page.goto(`${server!.url}/`);
    await page.getByTestId('first-run').waitFor();
    assert.match(String(await page.getByTestId('first-run').textContent()), /curl -X POST .*\/v1\/ingest/);
    sims = [
      new ServiceSim('checkout', 'sdk', 1),
      new ServiceSim('legacy-go', 'go', 2),
      new ServiceSim('otel-api', 'otel', 3),
    ];
    seededUntil = await backfill(server!.url, sims, 30);
    await page.locator('article.service').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('first-run').count(), 0);
  });

  it('draws non-empty charts for every service, whatever its naming convention', async (t) => {
    if (skipIfNoBrowser(t)) return;
    const expected: Record<string, string[]> = {
      checkout: [
        'Request rate by route',
        'Error ratio (5xx) by route',
        'Latency p50 / p95 / p99',
        'CPU (cores)',
        'Memory',
        'Event-loop lag',
        'GC time (share of wall time)',
        'queue_depth',
      ],
      'legacy-go': [
        'Request rate by route',
        'Error ratio (5xx) by route',
        'Memory',
        'Goroutines',
        'GC runs per second',
      ],
      'otel-api': [
        'Request rate by route',
        'Error ratio (5xx) by route',
        'Latency p50 / p95 / p99',
        'Latency p95 by route',
      ],
    };
    for (const [svc, titles] of Object.entries(expected)) {
      const card = `article.service[data-service="${svc}"]`;
      await page.locator(card).scrollIntoViewIfNeeded();
      for (const title of titles) {
        assert.equal(
          (await page.locator(`${card} .panel h3`, { hasText: title }).count()) > 0,
          true,
          `${svc}: ${title}`,
        );
      }
      // Lazy panels load as they come into view: scroll through the card.
      for (const p of await page.locator(`${card} .panel`).all()) await p.scrollIntoViewIfNeeded();
      await chartsDrawn(card);
    }
    await noXss('the overview');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shotDir, 'overview-light.png') });
  });

  it('toggles the theme, remembers it across reloads, and screenshots the dark overview', async (t) => {
    if (skipIfNoBrowser(t)) return;
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    await page.getByRole('button', { name: 'Toggle theme' }).click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await chartsDrawn('article.service[data-service="checkout"] .row:first-of-type');
    await page.screenshot({ path: join(shotDir, 'overview-dark.png') });
    await page.keyboard.press('t');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
  });

  it('runs a query in Explore, completes metric names, and shows label values as text', async (t) => {
    if (skipIfNoBrowser(t)) return;
    await page.goto(`${server!.url}/#/explore?range=30m`);
    const editor = page.locator('.cm-content').first();
    await editor.click();
    await page.keyboard.type('http_req');
    const popup = page.locator('.cm-tooltip-autocomplete');
    await popup.waitFor();
    assert.ok(
      (await popup.textContent())?.includes('http_requests_total'),
      'autocompletion offers the metric name',
    );
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+a');
    // The table below is an instant query at now over [1m]: the data must reach now.
    seededUntil = await catchUp(server!.url, sims, seededUntil);
    const query = 'sum by (route) (rate(http_requests_total{service="checkout"}[1m]))';
    await page.keyboard.type(query);
    // Brackets close themselves as you type; typing the closer steps over it.
    assert.equal(await editor.textContent(), query);
    await page.keyboard.press('Control+Enter');
    await chartsDrawn('.explore');
    await page.waitForFunction(
      () => document.querySelector('.explore .chart')?.dataset.lines === '3',
      undefined,
      {
        timeout: 20_000,
      },
    );
    assert.match(page.url(), /q=sum/);
    await noXss('Explore (graph)');
    await page.keyboard.press('Escape');
    await page.evaluate(() => document.activeElement?.blur());
    await page.screenshot({ path: join(shotDir, 'explore.png') });
    await page.getByRole('tab', { name: 'table' }).click();
    await page.getByTestId('result-table').waitFor();
    // The table's rows arrive with its own query, after the element (failed once in a full run
    // on a loaded machine by counting 1 row too early); it must settle on exactly 3.
    await page
      .waitForFunction(
        () => document.querySelectorAll('[data-testid="result-table"] tbody tr').length === 3,
        undefined,
        {
          timeout: 20_000,
        },
      )
      .catch(() => {});
    assert.equal(await page.locator('[data-testid="result-table"] tbody tr').count(), 3);
    await noXss('Explore (table)');
  });

  it('restores the view from a shared URL', async (t) => {
    if (skipIfNoBrowser(t)) return;
    const shared = page.url();
    assert.match(shared, /tab=table/);
    const other = await ctx!.newPage();
    watch(other);
    await other.goto(shared);
    await other.getByTestId('result-table').waitFor();
    assert.equal(await other.locator('[role="tab"][aria-selected="true"]').textContent(), 'table');
    assert.match(String(await other.locator('.cm-content').first().textContent()), /sum by \(route\)/);
    assert.equal(await other.getByLabel('Time range').inputValue(), '30m');
    await other.close();
  });

  it('shows every metric with its labels in the metrics browser', async (t) => {
    if (skipIfNoBrowser(t)) return;
    await page.goto(`${server!.url}/#/metrics?search=orders&m=orders_total`);
    await page.locator('aside.detail details').first().waitFor();
    assert.match(String(await page.locator('.metric-table tbody').textContent()), /orders_total\s*counter/);
    await noXss('the metrics browser');
  });

  it('live mode appends streamed points without refetching the range', async (t) => {
    if (skipIfNoBrowser(t)) return;
    const sim = new ServiceSim('checkout', 'sdk', 9);
    const pushing = setInterval(
      () => void ingest(server!.url, sim.push(Date.now(), 1)).catch(() => undefined),
      500,
    );
    try {
      await page.goto(`${server!.url}/#/explore?range=5m&q=${encodeURIComponent('sum(queue_depth)')}`);
      await chartsDrawn('.explore');
      const ranges: string[] = [];
      let liveStreams = 0;
      page.on('request', (r) => {
        if (r.url().includes('/api/v1/query_range')) ranges.push(r.url());
        if (r.url().includes('/api/v1/live')) liveStreams++;
      });
      const chart = page.locator('.explore .chart');
      await page.getByRole('button', { name: /live/ }).click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="connection"]')?.textContent === 'live',
      );
      const last0 = Number(await chart.getAttribute('data-last'));
      await page.waitForFunction(
        (l0) => Number(document.querySelector('.explore .chart')?.dataset.last) >= l0 + 2,
        last0,
        { timeout: 15_000 },
      );
      assert.equal(liveStreams, 1, 'one live stream');
      assert.deepEqual(ranges, [], 'no query_range request while live');
    } finally {
      clearInterval(pushing);
    }
    await page.getByRole('button', { name: /live/ }).click();
  });

  it('draws the first screen of a 50 services × 10 charts overview quickly', async (t) => {
    if (skipIfNoBrowser(t)) return;
    const sims = Array.from(
      { length: 50 },
      (_, i) => new ServiceSim(`svc-${String(i).padStart(2, '0')}`, 'small', 100 + i),
    );
    await backfill(server!.url, sims, 30);
    await page.goto(`${server!.url}/#/overview?service=`);
    await page.goto('about:blank');
    const begin = Date.now();
    await page.goto(`${server!.url}/#/overview?range=1h`);
    await page.waitForFunction(
      () => {
        const inView = ([...document.querySelectorAll('.panel')] as HTMLElement[]).filter((p) => {
          const r = p.getBoundingClientRect();
          return r.bottom > 0 && r.top < innerHeight;
        });
        return inView.length > 0 && inView.every((p) => p.dataset.state === 'ready');
      },
      undefined,
      { timeout: 30_000 },
    );
    const firstScreenMs = Date.now() - begin;
    const panels = await page.evaluate(() =>
      [...document.querySelectorAll('article.service')].reduce((n, a) => n + Number(a.dataset.panels), 0),
    );
    assert.ok(panels >= 500, `${panels} panels`);
    const svc = 'article.service[data-service="svc-49"]';
    const scrolled = Date.now();
    await page.locator(svc).scrollIntoViewIfNeeded();
    for (const p of await page.locator(`${svc} .panel`).all()) await p.scrollIntoViewIfNeeded();
    await chartsDrawn(svc);
    const lastServiceMs = Date.now() - scrolled;
    console.log(JSON.stringify({ bench: 'dashboard_overview_50x10', panels, firstScreenMs, lastServiceMs }));
    // Not a performance assertion: a bound that only an order-of-magnitude regression breaks.
    assert.ok(firstScreenMs < 30_000, `first screen took ${firstScreenMs} ms`);
  });

  it('logged no console error, page error or failed request on any page', async (t) => {
    if (skipIfNoBrowser(t)) return;
    for (const name of ['overview-light.png', 'overview-dark.png', 'explore.png']) {
      assert.ok(statSync(join(shotDir, name)).size > 10_000, `${name} was written`);
    }
    assert.deepEqual(problems, []);
  });
});
