import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { labelsFromRecord, labelsToRecord } from '../../model/labels.js';
import { parseExpr } from '../parser/parse.js';
import { promqlTestCommand } from './command.js';
import { checkResult } from './compare.js';
import { runScript } from './runner.js';
import { type EvalCmd, parseScript } from './script.js';
import { parseDuration, parseSeriesLine } from './series.js';

const floats = (line: string) =>
  parseSeriesLine(line).values.map((v) => (v.kind === 'float' ? v.v : v.kind === 'none' ? '_' : v.kind));

describe('promqltest series lines', () => {
  it('expands repetitions, gaps and stale markers as FORMAT.md §3.2 says', () => {
    assert.deepEqual(floats('a 0+10x3'), [0, 10, 20, 30]);
    assert.deepEqual(floats('b 1 _ 3 stale 5'), [1, '_', 3, 'stale', 5]);
    assert.deepEqual(floats('c _x2 7x1'), ['_', '_', 7, 7]);
    assert.deepEqual(floats('d -2+4x3'), [-2, 2, 6, 10]);
    assert.deepEqual(floats('e 1 -1-2x2'), [1, -1, -3, -5]);
    assert.deepEqual(floats('f Inf -inf NaN'), [
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ]);
  });

  it('reads label sets with Go string escapes, quoted names and histogram items', () => {
    const s = parseSeriesLine(`m{a="x\\ty", 'b'='\\x41', c=\`raw\\n\`, } {{schema:0 sum:1}}x2 3`);
    assert.deepEqual(labelsToRecord(s.labels), { __name__: 'm', a: 'x\ty', b: 'A', c: 'raw\\n' });
    assert.deepEqual(
      s.values.map((v) => v.kind),
      ['histogram', 'histogram', 'histogram', 'float'],
    );
    assert.deepEqual(labelsToRecord(parseSeriesLine('{__name__="n", x="1"} 1').labels), {
      __name__: 'n',
      x: '1',
    });
  });

  it('parses durations without confusing m and ms', () => {
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('5ms'), 5);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('0'), 0);
    assert.throws(() => parseDuration('5'));
  });
});

describe('promqltest scripts', () => {
  it('splits blocks on blank and comment lines; clear is a one-line command', () => {
    const cmds = parseScript(
      ['load 1m', '  a 1 2', '# c', 'eval instant at 1m a', '  # empty', 'clear', 'load 1m', '  b 1'].join(
        '\n',
      ),
    );
    assert.deepEqual(
      cmds.map((c) => c.kind),
      ['load', 'eval', 'clear', 'load'],
    );
  });

  it('runs evals, counting passes and failures, and skips listed lines', async () => {
    const text = [
      'load 5m',
      '  http_requests{job="api", instance="0"} 0+10x10',
      '  http_requests{job="api", instance="1"} 0+20x10',
      '',
      'eval instant at 50m sum by (job) (http_requests)',
      '  expect no_warn',
      '  {job="api"} 300',
      '',
      'eval range from 0 to 10m step 5m http_requests{instance="1"}',
      '  http_requests{job="api", instance="1"} 0 20 40',
      '',
      'eval instant at 50m count(http_requests) > 5',
      '',
      'eval instant at 0m 1 / 0',
      '  +Inf',
      '',
      'eval instant at 0m 1 / 0',
      '  5',
      '',
      'eval instant at 0m 1 + 1',
      '  7',
    ].join('\n');
    const r = await runScript('x.test', text, { parse: parseExpr, skipLines: new Set([20]) });
    assert.deepEqual(
      { passed: r.passed, failed: r.failed, skipped: r.skipped },
      { passed: 4, failed: 1, skipped: 1 },
    );
    assert.equal(r.failures[0]!.line, 17);
  });
});

describe('promqltest result comparison', () => {
  it('fails a result that holds one series twice, even when the count matches', () => {
    const [instant, range] = parseScript(
      [
        'eval instant at 0m x',
        '  x{a="1"} 1',
        '  x{a="2"} 1',
        '',
        'eval range from 0 to 1m step 1m x',
        '  x{a="1"} 1 1',
        '  x{a="2"} 1 1',
      ].join('\n'),
    ) as EvalCmd[];
    const one = labelsFromRecord({ __name__: 'x', a: '1' });
    const two = labelsFromRecord({ __name__: 'x', a: '2' });
    const vector = (ls: (typeof one)[]) => ({
      value: { resultType: 'vector' as const, result: ls.map((metric) => ({ metric, t: 0, v: 1 })) },
      warnings: [],
      infos: [],
    });
    const matrix = (ls: (typeof one)[]) => ({
      value: {
        resultType: 'matrix' as const,
        result: ls.map((metric) => ({
          metric,
          points: [
            { t: 0, v: 1 },
            { t: 60_000, v: 1 },
          ],
        })),
      },
      warnings: [],
      infos: [],
    });
    assert.equal(checkResult(instant!, vector([one, two])), null);
    assert.match(checkResult(instant!, vector([one, one])) ?? '', /duplicate series/);
    assert.equal(checkResult(range!, matrix([two, one])), null);
    assert.match(checkResult(range!, matrix([two, two])) ?? '', /duplicate series/);
  });
});

describe('tinyobs promql-test', () => {
  it('prints one JSON line per file and exits non-zero on a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promqltest-'));
    const good = join(dir, 'good.test');
    const bad = join(dir, 'bad.test');
    writeFileSync(good, 'eval instant at 0m 1 + 1\n  2\n');
    writeFileSync(bad, 'eval instant at 0m 1 + 1\n  3\n');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    // Evaluation yields to the event loop, so the test runner's own (binary) reports may be
    // written meanwhile: keep only the command's lines, which all name a file of `dir`.
    process.stdout.write = ((chunk: string) => {
      if (String(chunk).includes(dir)) lines.push(String(chunk));
      else write(chunk);
      return true;
    }) as typeof process.stdout.write;
    let okCode: number;
    let badCode: number;
    try {
      okCode = await promqlTestCommand([good]);
      badCode = await promqlTestCommand(['--verbose', good, bad]);
    } finally {
      process.stdout.write = write;
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(okCode, 0);
    assert.equal(badCode, 1);
    assert.deepEqual(JSON.parse(lines[0]!), { file: good, passed: 1, failed: 0, skipped: 0 });
    assert.deepEqual(JSON.parse(lines[2]!), { file: bad, passed: 0, failed: 1, skipped: 0 });
    assert.match(lines[3]!, /bad\.test:1: 1 \+ 1/);
  });
});
