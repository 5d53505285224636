// Durations as Prometheus reads and prints them, and duration expressions the engine resolves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from './duration.js';
import { evalDurationExpr } from './durationexpr.js';
import { parseExpr } from './parse.js';

test('parseDuration reads units from years to milliseconds', () => {
  const cases: ReadonlyArray<readonly [string, number]> = [
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['10s53ms', 10_053],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    [
      '1y2w3d4h5m6s7ms',
      31_536_000_000 + 2 * 604_800_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6000 + 7,
    ],
  ];
  for (const [s, ms] of cases) assert.equal(parseDuration(s), ms, s);
});

test('parseDuration rejects what Prometheus rejects, with its messages', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['', 'empty duration string'],
    ['5', 'not a valid duration string: "5"'],
    ['1m1h', 'not a valid duration string: "1m1h"'],
    ['1m1m', 'not a valid duration string: "1m1m"'],
    ['-5m', 'not a valid duration string: "-5m"'],
    ['1.5h', 'unknown unit "." in duration "1.5h"'],
    ['5x', 'unknown unit "x" in duration "5x"'],
    ['300y', 'duration out of range'],
  ];
  for (const [s, message] of cases) assert.throws(() => parseDuration(s), { message }, s);
});

test('formatDuration prints the canonical form, with years and weeks only when exact', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0s'],
    [1, '1ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [604_800_000, '1w'],
    [7_776_000_000, '90d'],
    [31_536_000_000, '1y'],
    [31_536_000_000 + 86_400_000, '366d'],
    [-300_000, '-5m'],
    [5_400_500, '1h30m500ms'],
  ];
  for (const [ms, s] of cases) assert.equal(formatDuration(ms), s, String(ms));
});

function rangeExprOf(query: string) {
  const e = parseExpr(query);
  assert.ok(e.kind === 'MatrixSelector' && e.rangeExpr, query);
  return e.rangeExpr;
}

test('evalDurationExpr resolves step() and range() from the query', () => {
  const ctx = { stepMs: 5000, rangeMs: 10_000 };
  const cases: ReadonlyArray<readonly [string, number]> = [
    ['x[step()]', 5000],
    ['x[step()+1ms]', 5001],
    ['x[(step())+1]', 6000],
    ['x[1+(STep()-5)*2]', 1000],
    ['x[min_of(step()+1,1h)]', 6000],
    ['x[max_of(min_of(step()+1,1h),1ms)]', 6000],
    ['x[range()]', 10_000],
    ['x[2m/range()]', 12_000],
    ['x[-step()+1m]', 55_000],
  ];
  for (const [q, ms] of cases) assert.equal(evalDurationExpr(rangeExprOf(q), ctx), ms, q);
  assert.throws(() => evalDurationExpr(rangeExprOf('x[1m/(step()-step())]'), ctx), {
    message: 'division by zero',
  });
});

test('an offset that uses step() keeps its expression for the engine', () => {
  const e = parseExpr('metric1_total offset -min_of(step(), 1s)');
  assert.ok(e.kind === 'VectorSelector' && e.offsetExpr);
  assert.equal(e.offset, 0);
  assert.equal(evalDurationExpr(e.offsetExpr, { stepMs: 500, rangeMs: 0 }), -500);
});
