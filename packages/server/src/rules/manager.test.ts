import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../log.js';
import { type Labels, labelsFromRecord, labelsToString } from '../model/labels.js';
import { Engine } from '../promql/engine/engine.js';
import type { Appendable, Queryable } from '../storage/types.js';
import { DB } from '../tsdb/db.js';
import { Head } from '../tsdb/head/head.js';
import type { AlertingRule } from './alerting.js';
import { ManualClock } from './clock.js';
import { RuleFileError } from './errors.js';
import { RuleManager } from './manager.js';
import { engineQueryFunc } from './query.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyobs-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const RULES = `groups:
  - name: demo
    interval: 10s
    rules:
      - record: job:x:sum
        expr: sum by (job) (x)
      - alert: HighX
        expr: x > 10
        for: 30s
        labels:
          severity: page
        annotations:
          summary: "{{ $labels.instance }} is at {{ $value }}"
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const engine = new Engine();
const START = Date.UTC(2026, 0, 1);

function setup(store: Appendable & Queryable, clock = new ManualClock(START), opts = {}) {
  const manager = new RuleManager({
    store,
    query: engineQueryFunc(engine, store),
    log: silentLogger,
    clock,
    ...opts,
  });
  return { manager, clock };
}

async function push(store: Appendable, t: number, series: Record<string, number>): Promise<void> {
  const app = store.appender();
  for (const [instance, v] of Object.entries(series))
    app.append(0, labelsFromRecord({ __name__: 'x', job: 'api', instance }), t, v);
  await app.commit();
}

async function instant(store: Queryable, q: string, t: number): Promise<string[]> {
  const r = await engine.instantQuery(store, q, t);
  assert.equal(r.value.resultType, 'vector');
  return r.value.result.map((s) => `${labelsToString(s.metric as Labels)} ${s.v}`).sort();
}

describe('rule manager', () => {
  it('takes an alert from pending to firing after `for`, then resolves it; recording output equals the query', async () => {
    const head = new Head();
    const { manager, clock } = setup(head);
    await manager.load([file('demo.yml', RULES)]);
    const group = manager.list()[0]!;
    const rule = group.rules[1] as AlertingRule;
    const states: string[] = [];
    // Push every 5s; x on i1 crosses the threshold after 60s and drops back after 150s.
    for (let step = 0; step < 48; step++) {
      const t = clock.now();
      const high = t - START >= 60_000 && t - START < 150_000;
      await push(head, t, { i1: high ? 20 : 5, i2: 1 });
      await clock.advance(5_000);
      const s = rule.active.size === 0 ? 'none' : [...rule.active.values()][0]!.state;
      if (states[states.length - 1] !== s) states.push(s);
    }
    // Restoring comes after the second evaluation; from then on ALERTS is written.
    assert.deepEqual(states, ['none', 'pending', 'firing', 'inactive']);
    const evalTs = group.lastEvaluation;
    assert.equal(rule.health, 'ok');
    assert.ok(group.rules[0]!.lastEvaluation === evalTs && evalTs > START + 200_000);
    // The recording rule's series at its last evaluation equals the same query run directly.
    assert.deepEqual(
      await instant(head, 'job:x:sum', evalTs),
      (await instant(head, 'sum by (job) (x)', evalTs)).map((s) => s.replace('{job=', 'job:x:sum{job=')),
    );
    await manager.stop();
  });

  it('writes ALERTS and ALERTS_FOR_STATE while an alert is active and marks them stale after', async () => {
    const head = new Head();
    const { manager, clock } = setup(head);
    await manager.load([file('alerts.yml', RULES)]);
    const group = manager.list()[0]!;
    const rule = group.rules[1] as AlertingRule;
    let activeAt = 0;
    let firingSeen = false;
    for (let step = 0; step < 60; step++) {
      const t = clock.now();
      await push(head, t, { i1: t - START >= 60_000 && t - START < 200_000 ? 20 : 5 });
      await clock.advance(5_000);
      const a = [...rule.active.values()][0];
      if (a?.state === 'firing' && !firingSeen) {
        firingSeen = true;
        activeAt = a.activeAt;
        const ts = group.lastEvaluation;
        assert.deepEqual(await instant(head, 'ALERTS', ts), [
          'ALERTS{alertname="HighX", alertstate="firing", instance="i1", job="api", severity="page"} 1',
        ]);
        assert.deepEqual(await instant(head, 'ALERTS_FOR_STATE', ts), [
          `ALERTS_FOR_STATE{alertname="HighX", instance="i1", job="api", severity="page"} ${Math.trunc(activeAt / 1000)}`,
        ]);
        assert.equal(a.annotations.summary, 'i1 is at 20');
      }
    }
    assert.ok(firingSeen);
    // Resolved: the series got a staleness marker, so they are gone at once (not after 5m lookback).
    assert.deepEqual(await instant(head, 'ALERTS', group.lastEvaluation), []);
    await manager.stop();
  });

  it('keeps `for` state across a restart (restored from ALERTS_FOR_STATE)', async () => {
    const rules = file('restore.yml', RULES.replace('for: 30s', 'for: 20m'));
    const dataDir = mkdtempSync(join(dir, 'db-'));
    let db = await DB.open({ dir: dataDir });
    const clock = new ManualClock(START);
    let { manager } = setup(db, clock);
    await manager.load([rules]);
    const pushFor = async (ms: number) => {
      for (let i = 0; i < ms / 10_000; i++) {
        await push(db, clock.now(), { i1: 20 });
        await clock.advance(10_000);
      }
    };
    await pushFor(5 * 60_000);
    const before = [...(manager.list()[0]!.rules[1] as AlertingRule).active.values()][0]!;
    assert.equal(before.state, 'pending');
    const activeAt = before.activeAt;
    await manager.stop();
    await db.close();
    // Down for 2 minutes; then a new process (new manager, reopened database).
    await clock.advance(2 * 60_000);
    db = await DB.open({ dir: dataDir });
    ({ manager } = setup(db, clock));
    await manager.load([rules]);
    await pushFor(60_000);
    const after = [...(manager.list()[0]!.rules[1] as AlertingRule).active.values()][0]!;
    // Prometheus' rule: the time from the last ALERTS_FOR_STATE sample until the restore (after
    // the second evaluation) does not count towards `for`; the time before does.
    const shift = after.activeAt - activeAt;
    assert.ok(shift >= 2 * 60_000 + 10_000 && shift <= 2 * 60_000 + 30_000, `${shift}`);
    assert.equal(after.state, 'pending');
    await pushFor(15 * 60_000);
    assert.equal(after.state, 'firing');
    await manager.stop();
    await db.close();
  });

  it('refuses a malformed file with a message naming file, line, group and rule', async () => {
    const { manager } = setup(new Head());
    const bad = file('bad.yml', RULES.replace('expr: x > 10', 'expr: x > > 10'));
    await assert.rejects(manager.load([bad]), (err: unknown) => {
      assert.ok(err instanceof RuleFileError);
      assert.match(err.message, /bad\.yml:8:15: group "demo", rule 2, "HighX": could not parse expression/);
      return true;
    });
    assert.equal(manager.list().length, 0);
  });

  it('keeps the old rules when a reload finds a bad file, and says why', async () => {
    const { manager, clock } = setup(new Head());
    const p = file('reload.yml', RULES);
    await manager.load([p]);
    await clock.advance(30_000);
    writeFileSync(p, RULES.replace('for: 30s', 'for: 30 seconds'));
    await assert.rejects(manager.reload(), /reload\.yml:9:14: group "demo", rule 2, "HighX": invalid 'for'/);
    assert.equal(manager.status.ok, false);
    assert.equal(manager.list()[0]!.rules.length, 2);
    const last = manager.list()[0]!.lastEvaluation;
    await clock.advance(10_000);
    assert.equal(manager.list()[0]!.lastEvaluation, last + 10_000, 'the old rules keep running');
    writeFileSync(p, RULES.replace('x > 10', 'x > 100'));
    await manager.reload();
    assert.equal(manager.status.ok, true);
    assert.equal(manager.list()[0]!.rules[1]!.spec.expr, 'x > 100');
    await manager.stop();
  });

  it('evaluates a group with query_offset that far back and stamps its output there', async () => {
    const head = new Head();
    const { manager, clock } = setup(head);
    const rules = `groups:
  - name: late
    interval: 10s
    query_offset: 1m
    rules:
      - record: x:copy
        expr: x
`;
    await manager.load([file('offset.yml', rules)]);
    for (let i = 0; i < 30; i++) {
      await push(head, clock.now(), { i1: (clock.now() - START) / 1000 });
      await clock.advance(5_000);
    }
    const g = manager.list()[0]!;
    const at = g.lastEvaluation - 60_000;
    const [copy] = await instant(head, 'x:copy', at);
    const [orig] = await instant(head, 'x', at);
    assert.equal(copy!.split(' ')[1], orig!.split(' ')[1]);
    assert.deepEqual(await instant(head, 'timestamp(x:copy)', g.lastEvaluation), [
      `{instance="i1", job="api"} ${at / 1000}`,
    ]);
    await manager.stop();
  });

  it('aligns evaluations to the interval with a per-group offset', async () => {
    const { manager, clock } = setup(new Head());
    await manager.load([file('align.yml', RULES)]);
    const g = manager.list()[0]!;
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      await clock.advance(10_000);
      seen.add(g.lastEvaluation % 10_000);
    }
    assert.equal(seen.size, 1, 'every evaluation has the same phase');
    for (const t of [START, START + 1, START + 9_999, START + 123_456]) {
      const e = g.evalTimestamp(t);
      assert.ok(e <= t && t < e + 10_000 && e % 10_000 === g.lastEvaluation % 10_000);
    }
    await manager.stop();
    // Another group (another name) gets its own phase; the same group after a restart the same one.
    const other = setup(new Head(), new ManualClock(clock.now()));
    await other.manager.load([file('align.yml', RULES), file('align2.yml', RULES.replace('demo', 'other'))]);
    const [a, b] = other.manager.list();
    assert.equal(a!.evalTimestamp(START), g.evalTimestamp(START));
    assert.notEqual(a!.evalTimestamp(START), b!.evalTimestamp(START));
    await other.manager.stop();
  });
});
