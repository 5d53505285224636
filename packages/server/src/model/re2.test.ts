import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newMatcher } from './matcher.js';
import { re2ToJs } from './re2.js';

describe('RE2 patterns in matchers', () => {
  it('scopes (?i:…) to its group', () => {
    const m = newMatcher('=~', 'group', '(?i:PRO).*');
    assert.ok(m.matches('production'));
    assert.ok(m.matches('PROduction'));
    assert.ok(!m.matches('xproduction'));
    const n = newMatcher('=~', 'group', '.*(?i:TION)x');
    assert.ok(n.matches('productionx'));
    assert.ok(!n.matches('productionX'), 'the flag ends with its group');
  });

  it('applies (?i) to the rest of the enclosing group', () => {
    const m = newMatcher('=~', 'group', 'a((?i)bc)D');
    assert.ok(m.matches('aBcD'));
    assert.ok(!m.matches('AbcD'));
    assert.ok(!m.matches('abcd'));
    assert.ok(newMatcher('=~', 'x', '(?i)prod').matches('PROD'));
  });

  it('folds letters and ranges inside character classes', () => {
    assert.equal(re2ToJs('(?i:[a-c]x)'), '(?:[a-cA-C][xX])');
    assert.ok(newMatcher('=~', 'x', '(?i)[^a-z]+').matches('123'));
    assert.ok(!newMatcher('=~', 'x', '(?i)[^a-z]+').matches('Q'));
  });

  it('keeps escapes and translates named groups', () => {
    assert.equal(re2ToJs('(?i)a\\.b'), '[aA]\\.[bB]');
    assert.equal(re2ToJs('(?P<x>a)'), '(?<x>a)');
    assert.equal(re2ToJs('plain.*'), 'plain.*');
  });
});
