import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requireBinary } from '../../../test/support/system.js';
import { checkRulesCommand, testRulesCommand } from '../commands.js';

const DATA = new URL('./testdata/', import.meta.url).pathname;

async function testRules(file: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await testRulesCommand([join(DATA, file)], (t) => {
    out += t;
  });
  return { code, out };
}

describe('tinyobs test-rules (promtool test rules format)', () => {
  for (const file of [
    'unittest.yml',
    'alerts-test.yml',
    'long-period.yml',
    'at-modifier-test.yml',
    'negative-offset-test.yml',
  ]) {
    it(`passes Prometheus' ${file}`, async () => {
      const r = await testRules(file);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /SUCCESS/);
    });
  }

  const failing: [string, RegExp][] = [
    [
      'wrong-expectation.yml',
      /expr: "timestamp\(fixed_data\)", time: 1h,\n\s+exp: \{\} 3\.66E\+03\n\s+got: \{\} 3\.6E\+03/,
    ],
    ['failing.yml', /name: Failing alert test,\n\s+alertname: AlwaysFiring, time: 5m/],
    [
      'bad-rules-error-test.yml',
      /rule: joined, time: 0s, err: found duplicate series for the match group \{a="1"\}/,
    ],
    [
      'bad-promql.yml',
      /expr: "join_1 \+ on\(a\) group_left\(\) join_2", time: 0s, err: found duplicate series/,
    ],
    ['bad-input-series.yml', /bad-input-series\.yml:3:9: invalid input series/],
  ];
  for (const [file, message] of failing) {
    it(`fails ${file} and says why`, async () => {
      const r = await testRules(file);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, message);
    });
  }

  it('fails on a wrong expected alert, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-ruletest-'));
    try {
      writeFileSync(
        join(dir, 't.yml'),
        `rule_files: [${join(DATA, 'alerts.yml')}]
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="p", instance="i"}'
        values: "0x20"
    alert_rule_test:
      - eval_time: 10m
        alertname: InstanceDown
        exp_alerts:
          - exp_labels: {severity: warning, instance: i, job: p}
`,
      );
      let out = '';
      assert.equal(await testRulesCommand([join(dir, 't.yml')], (t) => (out += t)), 1);
      assert.match(out, /alertname: InstanceDown, time: 10m/);
      assert.match(out, /severity="warning"/);
      assert.match(out, /severity="page"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('agrees with promtool on the cases where Prometheus 2.x and 3.x windows agree', (t) => {
    const promtool = requireBinary(t, 'promtool', 'prometheus');
    if (promtool === null) return;
    for (const file of [
      'alerts-test.yml',
      'long-period.yml',
      'failing.yml',
      'bad-rules-error-test.yml',
      'bad-promql.yml',
    ]) {
      const r: SpawnSyncReturns<string> = spawnSync(promtool, ['test', 'rules', file], {
        cwd: DATA,
        encoding: 'utf8',
        timeout: 120_000,
      });
      const expected = file.startsWith('bad') || file === 'failing.yml' ? 1 : 0;
      assert.equal(r.status, expected, `promtool on ${file}: ${r.stdout}${r.stderr}`);
    }
  });
});

describe('tinyobs check-rules', () => {
  it('reports the rules found, or every problem with file, line, group and rule', async (t0) => {
    let out = '';
    let err = '';
    const w = (t: string) => (out += t);
    const e = (t: string) => (err += t);
    assert.equal(await checkRulesCommand([join(DATA, 'rules.yml')], w, e), 0);
    assert.match(out, /SUCCESS: 4 rules found/);
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-check-'));
    try {
      const bad = join(dir, 'bad.yml');
      writeFileSync(
        bad,
        'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up ==\n      - record: b\n        expr: sum(x)\n        for: 5m\n',
      );
      assert.equal(await checkRulesCommand([bad], w, e), 1);
      assert.match(err, /bad\.yml:5:15: group "g", rule 1, "A": could not parse expression/);
      assert.match(err, /bad\.yml:8:14: group "g", rule 2, "b": invalid field 'for' in recording rule/);
      // promtool agrees that the file is bad and the other one good.
      const promtool = requireBinary(t0, 'promtool', 'prometheus');
      if (promtool !== null) {
        assert.equal(spawnSync(promtool, ['check', 'rules', bad]).status, 1);
        assert.equal(spawnSync(promtool, ['check', 'rules', join(DATA, 'rules.yml')]).status, 0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
