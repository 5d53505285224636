// Literal conversions follow Go, whose syntax PromQL borrows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, parseNumber, quoteString, unquoteString } from './literals.js';

test('formatNumber matches Go FormatFloat(f, f, -1, 64)', () => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [0, '0'],
    [1, '1'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-1e-10, '-0.0000000001'],
    [123456789.125, '123456789.125'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
  ];
  for (const [v, s] of cases) assert.equal(formatNumber(v), s, s);
});

test('parseNumber reads what Go ParseInt(s, 0) then ParseFloat read', () => {
  assert.equal(parseNumber('0b101'), 5);
  assert.equal(parseNumber('0o17'), 15);
  assert.equal(parseNumber('017'), 15);
  assert.equal(parseNumber('09'), 9);
  assert.equal(parseNumber('1_000.5'), 1000.5);
  assert.throws(() => parseNumber(`1${'0'.repeat(400)}`), /value out of range/);
});

test('quoteString and unquoteString invert each other', () => {
  for (const s of ['', 'plain', 'new\nline', 'tab\t', 'quote"', 'back\\slash', 'é☺😀', '\x00\x7f']) {
    assert.equal(unquoteString(quoteString(s)), s, JSON.stringify(s));
  }
  assert.equal(quoteString('\x00'), '"\\x00"');
  assert.equal(quoteString('\u2028'), '"\\u2028"');
});
