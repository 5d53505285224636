import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Engine } from '../promql/engine/engine.js';
import { parseExpr } from '../promql/parser/parse.js';
import { Head } from '../tsdb/head/head.js';
import { newMatcher } from './matcher.js';
import { compileCapturing, compileRegex } from './re2.js';

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
    assert.ok(newMatcher('=~', 'x', '(?i)[^a-z]+').matches('123'));
    assert.ok(!newMatcher('=~', 'x', '(?i)[^a-z]+').matches('Q'));
  });

  it('is anchored at both ends and lets . match a newline', () => {
    assert.ok(newMatcher('=~', 'x', 'a.c').matches('a\nc'));
    assert.ok(!newMatcher('=~', 'x', 'b+').matches('abb'));
    assert.ok(newMatcher('!~', 'x', 'b+').matches('abb'));
  });

  it('accepts RE2-only syntax', () => {
    assert.ok(compileRegex('(?P<word>[[:alpha:]]+)-\\d').matches('abc-1'));
    assert.ok(compileRegex('\\pL+').matches('été'));
    assert.ok(compileRegex('\\Qa.b\\E').matches('a.b'));
    assert.ok(!compileRegex('\\Qa.b\\E').matches('axb'));
    assert.ok(compileRegex('(?U)a+b').matches('aaab'));
  });

  it("refuses what RE2 refuses, with Go's message", () => {
    assert.throws(() => newMatcher('=~', 'x', '(a)\\1'), {
      code: 'invalid_matcher',
      message: 'error parsing regexp: invalid escape sequence: `\\1`',
    });
    assert.throws(() => compileRegex('a(?=b)'), {
      code: 'invalid_regexp',
      message: 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    });
    assert.throws(() => compileRegex('(a'), { message: 'error parsing regexp: missing closing ): `(a`' });
    assert.throws(
      () => parseExpr('up{job=~"(a)\\\\1"}'),
      /parse error: error parsing regexp: invalid escape sequence/,
    );
  });

  it("label_replace refuses a non-RE2 pattern with Prometheus' message", async () => {
    const engine = new Engine();
    await assert.rejects(
      engine.instantQuery(new Head(), 'label_replace(vector(1), "a", "$1", "b", "(x)\\\\1")', 0),
      {
        message: 'invalid regular expression in label_replace(): (x)\\1',
      },
    );
  });

  it('label_replace expands RE2 named and numbered groups', () => {
    const m = compileCapturing('(?P<svc>[a-z]+)-(\\d+)')('api-7');
    assert.equal(m?.[2], '7');
    assert.equal(m?.groups?.svc, 'api');
    assert.equal(compileCapturing('a')('ab'), null, 'anchored');
  });

  it('matches pathological patterns in time linear in the value', () => {
    // Backtracking takes ~300 ms at 26 characters and doubles with each one: 10 000 would not end.
    const long = 'a'.repeat(10_000);
    const t0 = performance.now();
    assert.ok(!newMatcher('=~', 'l', '(a|a)*c').matches(long));
    assert.ok(!newMatcher('=~', 'l', '(.*a){20}').matches(`${'a'.repeat(200)}b`));
    assert.ok(!newMatcher('=~', 'l', '(a+)+$c').matches(long));
    const ms = performance.now() - t0;
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });

  it('takes the fast paths for literal, alternation, prefix, suffix and infix patterns', () => {
    const kinds: Record<string, string> = {
      'api-server': 'literal',
      '': 'literal',
      'a|bb|c': 'set',
      '.*': 'any',
      '.+': 'nonEmpty',
      'api.*': 'prefix',
      '.*-prod': 'suffix',
      '.*err.*': 'contains',
      'ap+i': 're2',
      'a\\.b.*': 're2',
    };
    for (const [pattern, kind] of Object.entries(kinds))
      assert.equal(newMatcher('=~', 'x', pattern).regexKind, kind, pattern);
    const fast = (p: string, s: string): boolean => compileRegex(p).matches(s);
    assert.ok(fast('a|bb|', '') && fast('a|bb|', 'bb') && !fast('a|bb|', 'b'));
    assert.ok(fast('api.*', 'api') && fast('api.*', 'api\nx') && !fast('api.*', 'xapi'));
    assert.ok(fast('.*-prod', 'eu-prod') && !fast('.*-prod', 'eu-prod2'));
    assert.ok(fast('.*err.*', 'an error') && !fast('.*err.*', 'fine'));
  });
});
