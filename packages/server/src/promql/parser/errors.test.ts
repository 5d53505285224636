// Parse errors read exactly like Prometheus' (message and line:col), because users paste them into
// searches and Grafana shows them verbatim. Most cases come from upstream's parse_test.go.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParseError } from './errors.js';
import { parseExpr } from './parse.js';

const CASES: ReadonlyArray<readonly [string, string]> = [
  // Empty input, lexer errors.
  ['', '1:1: parse error: no expression found in input'],
  ['# just a comment\n\n', '1:1: parse error: no expression found in input'],
  ['1+', '1:3: parse error: unexpected end of input'],
  ['.', `1:1: parse error: unexpected character: '.'`],
  ['2.5.', '1:1: parse error: bad number or duration syntax: "2.5."'],
  ['100..4', '1:1: parse error: bad number or duration syntax: "100.."'],
  ['0deadbeef', '1:1: parse error: bad number or duration syntax: "0de"'],
  ['1 /', '1:4: parse error: unexpected end of input'],
  ['*1', '1:1: parse error: unexpected <op:*>'],
  ['(1))', `1:5: parse error: unexpected right parenthesis ')'`],
  ['((1)', '1:5: parse error: unclosed left parenthesis'],
  ['(', '1:2: parse error: unclosed left parenthesis'],
  ['sum(', '1:5: parse error: unclosed left parenthesis'],
  ['1 !~ 1', `1:3: parse error: unexpected character after '!': '~'`],
  ['1 =~ 1', `1:3: parse error: unexpected character after '=': '~'`],
  ['@@', '1:1: parse error: unexpected <op:@>'],
  ['-=', '1:2: parse error: unexpected "="'],
  ['++-++-+-+-<', '1:11: parse error: unexpected <op:<>'],
  ['e-+=/(0)', '1:4: parse error: unexpected "="'],
  ['`\\``', '1:4: parse error: unterminated raw string'],
  ['"\\', '1:1: parse error: escape sequence not terminated'],
  ['"\\c"', `1:1: parse error: unknown escape sequence U+0063 'c'`],
  ['"\\x."', `1:1: parse error: illegal character U+002E '.' in escape sequence`],
  ['"abc', '1:1: parse error: unterminated quoted string'],
  // Operators and their type rules.
  ['1 and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ['1 == 1', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
  ['foo unless 1', '1:1: parse error: set operator "unless" not allowed in binary scalar expression'],
  ['1 or on(bar) foo', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['foo == on(bar) 10', '1:1: parse error: vector matching only allowed between instant vectors'],
  ['foo + group_left(baz) bar', '1:7: parse error: unexpected <group_left>'],
  ['a - on(b) ignoring(c) d', '1:11: parse error: unexpected <ignoring>'],
  ['foo and on(bar) group_left(baz) bar', '1:1: parse error: no grouping allowed for "and" operation'],
  ['foo or on(bar) group_right(baz) bar', '1:1: parse error: no grouping allowed for "or" operation'],
  [
    'http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}',
    '1:35: parse error: label "instance" must not occur in ON and GROUP clause at once',
  ],
  ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo and bool 10', '1:5: parse error: bool modifier can only be used on comparison operators'],
  [
    '-"string"',
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"',
  ],
  [
    '-test[5m]',
    '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector"',
  ],
  ['foo[5m] + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
  // Selectors.
  ['{', '1:2: parse error: unexpected end of input inside braces'],
  ['}', `1:1: parse error: unexpected character: '}'`],
  ['some}', `1:5: parse error: unexpected character: '}'`],
  ['some_metric{a=b}', '1:15: parse error: unexpected identifier "b" in label matching, expected string'],
  ['some_metric{a:b="b"}', `1:14: parse error: unexpected character inside braces: ':'`],
  ['foo{a*"b"}', `1:6: parse error: unexpected character inside braces: '*'`],
  ['foo{a>="b"}', `1:6: parse error: unexpected character inside braces: '>'`],
  ['foo{gibberish}', '1:14: parse error: unexpected "}" in label matching, expected label matching operator'],
  ['foo{1}', `1:5: parse error: unexpected character inside braces: '1'`],
  ['foo{a=}', '1:7: parse error: unexpected "}" in label matching, expected string'],
  ['foo{"a"=}', '1:9: parse error: unexpected "}" in label matching, expected string'],
  ['foo{__name__= =}', '1:15: parse error: unexpected "=" in label matching, expected string'],
  ['foo{,}', '1:5: parse error: unexpected "," in label matching, expected identifier or "}"'],
  ['foo{__name__ == "bar"}', '1:15: parse error: unexpected "=" in label matching, expected string'],
  [
    'foo{__name__="bar" lol}',
    '1:20: parse error: unexpected identifier "lol" in label matching, expected "," or "}"',
  ],
  ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x!~".+"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{x!="a"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  // Ranges, subqueries, offset, @.
  ['foo[5mm]', '1:5: parse error: bad number or duration syntax: "5mm"'],
  ['foo[5m1]', '1:5: parse error: bad number or duration syntax: "5m1"'],
  ['foo[5m:1m1]', '1:8: parse error: bad number or duration syntax: "1m1"'],
  ['foo[5y1hs]', '1:5: parse error: unknown unit "hs" in duration "5y1hs"'],
  ['foo[5m1h]', '1:5: parse error: not a valid duration string: "5m1h"'],
  ['foo[0m]', '1:5: parse error: duration must be greater than 0'],
  ['foo[-1]', '1:5: parse error: duration must be greater than 0'],
  ['foo["5m"]', `1:5: parse error: unexpected character in duration expression: '"'`],
  [
    'foo[]',
    '1:5: parse error: unexpected "]" in subquery or range selector, expected number, duration, step(), or range()',
  ],
  [
    'foo[step]',
    '1:9: parse error: unexpected "]" in subquery or range selector, expected number, duration, step(), or range()',
  ],
  ['foo[5s x 5s]', `1:8: parse error: unexpected character: 'x', expected ':'`],
  ['foo{bar="baz"}[', '1:16: parse error: unexpected end of input in duration expression'],
  ['foo[5m 1m]', '1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]"'],
  ['foo[5m:1m 1m]', '1:11: parse error: unexpected duration "1m" in subquery selector, expected "]"'],
  ['foo[5s/0d]', '1:7: parse error: division by zero'],
  ['foo[5s%0d]', '1:7: parse error: modulo by zero'],
  ['foo offset (4d/0)', '1:15: parse error: division by zero'],
  ['foo offset 9.5e10', '1:12: parse error: duration out of range'],
  ['foo[9.5e10]', '1:5: parse error: duration out of range'],
  ['some_metric[5m] OFFSET 1mm', '1:24: parse error: bad number or duration syntax: "1mm"'],
  [
    'some_metric[5m] OFFSET',
    '1:23: parse error: unexpected end of input in offset, expected number, duration, step(), or range()',
  ],
  ['some_metric OFFSET 1m[5m]', '1:22: parse error: no offset modifiers allowed before range'],
  ['some_metric offset step()[5m]', '1:26: parse error: no offset modifiers allowed before range'],
  ['some_metric[5m] @', '1:18: parse error: unexpected end of input in @, expected timestamp'],
  ['some_metric @ 1234 [5m]', '1:20: parse error: no @ modifiers allowed before range'],
  ['some_metric @ start() [5m]', '1:23: parse error: no @ modifiers allowed before range'],
  ['(foo + bar)[5m]', '1:12: parse error: ranges only allowed for vector selectors'],
  ['rate(food[1m])[1h] offset 1h', '1:15: parse error: ranges only allowed for vector selectors'],
  ['1[5m] smoothed', '1:2: parse error: ranges only allowed for vector selectors'],
  [
    '1 offset 1d',
    '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  ],
  ['foo offset 1s offset 2s', '1:1: parse error: offset may not be set multiple times'],
  ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
  [
    'rate(some_metric[5m]) @ 1234',
    '1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
  ],
  ['foo @ +Inf', '1:1: parse error: timestamp out of bounds for @ modifier: +Inf'],
  ['foo @ NaN', '1:1: parse error: timestamp out of bounds for @ modifier: NaN'],
  [
    'foo @ 9223372036854775808',
    '1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000',
  ],
  [
    'test[5d] OFFSET 10s [10m:5s]',
    '1:1: parse error: subquery is only allowed on instant vector, got matrix instead',
  ],
  ['foo[5m] anchored smoothed', '1:1: parse error: anchored and smoothed modifiers cannot be used together'],
  ['foo[5m:1m] anchored', '1:1: parse error: anchored modifier is not supported for subqueries'],
  // Aggregations.
  ['sum without(==)(some_metric)', '1:13: parse error: unexpected <op:==> in grouping opts, expected label'],
  ['sum without(,)(some_metric)', '1:13: parse error: unexpected "," in grouping opts, expected label'],
  ['sum without(foo,,)(some_metric)', '1:17: parse error: unexpected "," in grouping opts, expected label'],
  ['sum some_metric by (test)', '1:5: parse error: unexpected identifier "some_metric"'],
  [
    'sum (some_metric) by test',
    '1:22: parse error: unexpected identifier "test" in grouping opts, expected "("',
  ],
  ['sum () by (test)', '1:1: parse error: no arguments for aggregate expression provided'],
  ['MIN keep_common (some_metric)', '1:5: parse error: unexpected identifier "keep_common"'],
  ['MIN (some_metric) keep_common', '1:19: parse error: unexpected identifier "keep_common"'],
  ['sum (some_metric) without (test) by (test)', '1:34: parse error: unexpected <by>'],
  [
    'topk(some_metric)',
    '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
  ],
  ['topk(some_metric,)', '1:17: parse error: trailing commas not allowed in function call args'],
  [
    'topk(some_metric, other_metric)',
    '1:6: parse error: expected type scalar in aggregation parameter, got instant vector',
  ],
  [
    'count_values(5, other_metric)',
    '1:14: parse error: expected type string in aggregation parameter, got scalar',
  ],
  [
    'sum(foo[5m])',
    '1:5: parse error: expected type instant vector in aggregation expression, got range vector',
  ],
  // Function calls.
  ['floor()', '1:1: parse error: expected 1 argument(s) in call to "floor", got 0'],
  ['floor(some_metric, other_metric)', '1:1: parse error: expected 1 argument(s) in call to "floor", got 2'],
  ['floor(1)', '1:7: parse error: expected type instant vector in call to function "floor", got scalar'],
  [
    'hour(some_metric, some_metric, some_metric)',
    '1:1: parse error: expected at most 1 argument(s) in call to "hour", got 3',
  ],
  ['label_join(a, "b")', '1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 2'],
  ['time(some_metric)', '1:1: parse error: expected 0 argument(s) in call to "time", got 1'],
  [
    'non_existent_function_far_bar()',
    '1:1: parse error: unknown function with name "non_existent_function_far_bar"',
  ],
  ['a>b()', '1:3: parse error: unknown function with name "b"'],
  [
    'rate(some_metric)',
    '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
  ],
  [
    'rate(avg)',
    '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
  ],
  ['rate(x,)', '1:7: parse error: trailing commas not allowed in function call args'],
  [
    'info(rate(http_request_counter_total{}[5m]), target_info{foo="bar"})',
    '1:46: parse error: expected label selectors only, got vector selector instead',
  ],
  [
    'info(http_request_counter_total{namespace="zzz"}, {foo="bar"} == 1)',
    '1:51: parse error: expected label selectors only',
  ],
  // Positions count lines and UTF-8 bytes, as upstream does.
  ['foo +\n  bar{a=}', '2:9: parse error: unexpected "}" in label matching, expected string'],
  ['{"é"="x", a=}', '1:14: parse error: unexpected "}" in label matching, expected string'],
];

test('parse errors carry Prometheus messages and positions', () => {
  for (const [input, message] of CASES) {
    assert.throws(
      () => parseExpr(input),
      (err: unknown) => {
        assert.ok(err instanceof ParseError, `${JSON.stringify(input)} threw ${String(err)}`);
        assert.equal(err.message, message, `input ${JSON.stringify(input)}`);
        assert.equal(err.code, 'bad_data');
        return true;
      },
    );
  }
});

test('a parse error exposes its line, column and range', () => {
  const err = (() => {
    try {
      parseExpr('sum(rate(x[5m]))\n  + foo{');
    } catch (e) {
      return e as ParseError;
    }
    return undefined;
  })();
  assert.ok(err);
  assert.equal(err.line, 2);
  assert.equal(err.column, 9);
  assert.equal(err.reason, 'unexpected end of input inside braces');
  assert.deepEqual(err.pos, { start: 25, end: 25 });
});
