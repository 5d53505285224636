// The shape of the syntax tree: precedence, literals, selectors, modifiers, aggregations, calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr, VectorSelector } from './ast.js';
import { parseExpr, parseMetricSelector } from './parse.js';
import { formatExpr } from './printer.js';

/** A compact S-expression of the tree; leaves (selectors, literals) in their printed form. */
function tree(e: Expr): string {
  switch (e.kind) {
    case 'ParenExpr':
      return `(paren ${tree(e.expr)})`;
    case 'UnaryExpr':
      return `(${e.op} ${tree(e.expr)})`;
    case 'BinaryExpr': {
      const m = e.matching;
      let mods = e.returnBool ? ' bool' : '';
      if (m && (m.on || m.matchingLabels.length > 0))
        mods += ` ${m.on ? 'on' : 'ignoring'}(${m.matchingLabels})`;
      if (m && m.card !== 'one-to-one') mods += ` ${m.card}(${m.include})`;
      return `(${e.op}${mods} ${tree(e.lhs)} ${tree(e.rhs)})`;
    }
    case 'AggregateExpr': {
      const group = e.without ? ` without(${e.grouping})` : e.grouping.length ? ` by(${e.grouping})` : '';
      return `(${e.op}${group}${e.param ? ` ${tree(e.param)}` : ''} ${tree(e.expr)})`;
    }
    case 'Call':
      return `(${[e.func, ...e.args.map(tree)].join(' ')})`;
    default:
      return formatExpr(e);
  }
}

const SHAPES: ReadonlyArray<readonly [string, string]> = [
  ['a + b * c', '(+ a (* b c))'],
  ['a * b + c', '(+ (* a b) c)'],
  ['a - b - c', '(- (- a b) c)'],
  ['a / b % c * d', '(* (% (/ a b) c) d)'],
  ['a ^ b ^ c', '(^ a (^ b c))'],
  ['a atan2 b * c', '(* (atan2 a b) c)'],
  ['a == b + c', '(== a (+ b c))'],
  ['a and b == c', '(and many-to-many() a (== b c))'],
  ['a or b and c unless d', '(or many-to-many() a (unless many-to-many() (and many-to-many() b c) d))'],
  ['foo + bar or bla and blub', '(or many-to-many() (+ foo bar) (and many-to-many() bla blub))'],
  ['-a ^ b', '(- (^ a b))'],
  ['-a * b', '(* (- a) b)'],
  ['-1^2', '(- (^ 1 2))'],
  ['-1*2', '(* -1 2)'],
  ['-1^-2', '(- (^ 1 -2))'],
  ['+1 + -2 * 1', '(+ 1 (* -2 1))'],
  ['2 ^ -1 * 3', '(* (^ 2 -1) 3)'],
  ['1 + 2/(3*1)', '(+ 1 (/ 2 (paren (* 3 1))))'],
  ['1 < bool 2 - 1 * 2', '(< bool 1 (- 2 (* 1 2)))'],
  ['a offset 5m + b', '(+ a offset 5m b)'],
  ['-a offset 5m', '(- a offset 5m)'],
  ['foo offset 5s-8', '(- foo offset 5s 8)'],
  ['foo offset -1^1', '(^ foo offset -1s 1)'],
  ['metric1_total offset -step()*2', '(* metric1_total offset -step() 2)'],
  [
    'bar + on(foo) bla / on(baz, buz) group_right(test) blub',
    '(+ on(foo) bar (/ on(baz,buz) one-to-many(test) bla blub))',
  ],
  ['a * ignoring(b) group_left c', '(* ignoring(b) many-to-one() a c)'],
  ['a > bool on(x) b', '(> bool on(x) a b)'],
  ['h </ 1.5 * 2', '(* (</ h 1.5) 2)'],
  ['sum by (job) (rate(x[5m]))', '(sum by(job) (rate x[5m]))'],
  ['sum(rate(x[5m])) without (a, b)', '(sum without(a,b) (rate x[5m]))'],
  ['sum by () (x)', '(sum x)'],
  ['topk(5, x) by (a)', '(topk by(a) 5 x)'],
  ['quantile(0.9, x)', '(quantile 0.9 x)'],
  ['count_values("v", x)', '(count_values "v" x)'],
  ['limitk(2, x)', '(limitk 2 x)'],
  ['limit_ratio(0.5, x)', '(limit_ratio 0.5 x)'],
  ['SUM BY (job) (x)', '(sum by(job) x)'],
  [
    'sum without(and, by, avg, count, alert, annotations)(m)',
    '(sum without(and,by,avg,count,alert,annotations) m)',
  ],
  ['sum(sum)', '(sum sum)'],
  ['a + sum', '(+ a sum)'],
  ['rate(avg[5m])', '(rate avg[5m])'],
  [
    'histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))',
    '(histogram_quantile 0.99 (sum by(le) (rate x_bucket[5m])))',
  ],
  ['label_replace(up, "a", "$1", "b", "(.*)")', '(label_replace up "a" "$1" "b" "(.*)")'],
  ['start() + end() - step() * range()', '(- (+ (start) (end)) (* (step) (range)))'],
  ['min_of(3, 5)', '(min_of 3 5)'],
  ['vector(time() - 1h)', '(vector (- (time) 1h))'],
  ['sum(x) # trailing comment', '(sum x)'],
  ['# leading comment\nfoo', 'foo'],
];

test('operators bind by precedence and associativity, as in Prometheus', () => {
  for (const [input, expected] of SHAPES) assert.equal(tree(parseExpr(input)), expected, input);
});

function literal(input: string): number {
  const e = parseExpr(input);
  assert.equal(e.kind, 'NumberLiteral', input);
  return e.kind === 'NumberLiteral' ? e.val : Number.NaN;
}

test('number literals: decimal, hex, octal, exponents, Inf/NaN, durations in seconds', () => {
  const cases: ReadonlyArray<readonly [string, number]> = [
    ['1', 1],
    ['.5', 0.5],
    ['5.', 5],
    ['123.4567', 123.4567],
    ['5e-3', 0.005],
    ['+5.5e-3', 0.0055],
    ['0xc', 12],
    ['0x1f', 31],
    ['0755', 493],
    ['-0755', -493],
    ['1_000', 1000],
    ['Inf', Number.POSITIVE_INFINITY],
    ['+inf', Number.POSITIVE_INFINITY],
    ['-INF', Number.NEGATIVE_INFINITY],
    ['1h', 3600],
    ['1h30m', 5400],
    ['500ms', 0.5],
    ['-2m', -120],
    ['1y', 365 * 86400],
  ];
  for (const [input, value] of cases) assert.equal(literal(input), value, input);
  assert.ok(Number.isNaN(literal('NaN')));
  assert.ok(Number.isNaN(literal('nan')));
  const d = parseExpr('5m');
  assert.ok(d.kind === 'NumberLiteral' && d.duration === true);
});

test('string literals decode Go escapes; raw strings do not', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['"double \\" quote"', 'double " quote'],
    ["'single \\' quote'", "single ' quote"],
    ['`raw \\n`', 'raw \\n'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\"', '\x07\b\f\n\r\t\v\\'],
    ['"\\xc3\\xa9"', 'é'],
    ['"\\101\\u00e9\\U0001F600"', 'Aé😀'],
    ['"☺ unicode"', '☺ unicode'],
  ];
  for (const [input, value] of cases) {
    const e = parseExpr(input);
    assert.ok(e.kind === 'StringLiteral', input);
    assert.equal(e.val, value, input);
  }
});

function selector(input: string): VectorSelector {
  const e = parseExpr(input);
  assert.equal(e.kind, 'VectorSelector', input);
  return e as VectorSelector;
}

const matcherText = (vs: VectorSelector) => vs.matchers.map((m) => `${m.name}${m.type}${m.value}`);

test('vector selectors: matchers in order with the name matcher last, UTF-8 and keyword names', () => {
  const vs = selector('foo{a="b", c!="d", e=~"f.*", g!~"h",}');
  assert.equal(vs.name, 'foo');
  assert.deepEqual(matcherText(vs), ['a=b', 'c!=d', 'e=~f.*', 'g!~h', '__name__=foo']);
  assert.deepEqual(vs.pos, { start: 0, end: 37 });
  assert.equal(vs.offset, 0);
  assert.equal(vs.at, null);

  const byRegex = selector('{__name__=~"http_.*", job="api"}');
  assert.equal(byRegex.name, '');
  assert.ok(byRegex.matchers[0]?.matches('http_requests'));
  assert.ok(!byRegex.matchers[0]?.matches('xhttp_requests'), 'regexps are anchored');

  assert.deepEqual(matcherText(selector('{"metric.name", "service.name"="x"}')), [
    '__name__=metric.name',
    'service.name=x',
  ]);
  assert.deepEqual(matcherText(selector(`{'foo\\'bar', 'a\\\\dos'="b"}`)), ["__name__=foo'bar", 'a\\dos=b']);
  assert.deepEqual(matcherText(selector('foo:bar:rate5m{by="x", on="y", NaN="z"}')), [
    'by=x',
    'on=y',
    'NaN=z',
    '__name__=foo:bar:rate5m',
  ]);
  for (const name of [
    'sum',
    'offset',
    'by',
    'without',
    'and',
    'start',
    'end',
    'step',
    'range',
    'anchored',
    'min',
  ]) {
    assert.equal(selector(name).name, name);
    assert.equal(selector(`${name}{job="x"}`).name, name);
  }
  assert.equal(selector('{__name__="a", __name__="b"}').matchers.length, 2);
});

test('offset and @ modifiers on selectors, in either order', () => {
  assert.equal(selector('foo offset 5m').offset, 300_000);
  assert.equal(selector('foo offset -7m').offset, -420_000);
  assert.equal(selector('foo OFFSET 1h30m').offset, 5_400_000);
  assert.equal(selector('foo offset 100').offset, 100_000);
  assert.equal(selector('foo offset 1m30ms').offset, 60_030);
  assert.deepEqual(selector('foo @ 1603774568').at, { kind: 'timestamp', ms: 1_603_774_568_000 });
  assert.deepEqual(selector('foo @ -100').at, { kind: 'timestamp', ms: -100_000 });
  assert.deepEqual(selector('foo @ 3.3335').at, { kind: 'timestamp', ms: 3334 });
  assert.deepEqual(selector('foo @ 0xA').at, { kind: 'timestamp', ms: 10_000 });
  assert.deepEqual(selector('foo @ 1m').at, { kind: 'timestamp', ms: 60_000 });
  assert.deepEqual(selector('foo @ start()').at, { kind: 'start' });
  assert.deepEqual(selector('foo @ end()').at, { kind: 'end' });
  const both = selector('foo offset 1m @ 123');
  assert.equal(both.offset, 60_000);
  assert.deepEqual(both.at, { kind: 'timestamp', ms: 123_000 });
  assert.deepEqual(both.pos, { start: 0, end: 19 });
  assert.ok(selector('metric @ 100 smoothed').smoothed);
});

test('range selectors: ranges in ms, modifiers on the inner selector, duration expressions', () => {
  const m = parseExpr('test{a="b"}[5m] offset 3600 @ 100 anchored');
  assert.ok(m.kind === 'MatrixSelector');
  assert.equal(m.range, 300_000);
  assert.equal(m.vector.offset, 3_600_000);
  assert.deepEqual(m.vector.at, { kind: 'timestamp', ms: 100_000 });
  assert.ok(m.vector.anchored);
  assert.deepEqual(m.vector.pos, { start: 0, end: 11 });
  assert.equal(m.rangeExpr, undefined);
  const ranges: ReadonlyArray<readonly [string, number]> = [
    ['x[1000ms]', 1000],
    ['x[5]', 5000],
    ['x[4.18]', 4180],
    ['x[1800]', 1_800_000],
    ['x[5y]', 5 * 365 * 86_400_000],
    ['x[26m+4m]', 1_800_000],
    ['x[60*30]', 1_800_000],
    ['x[1h/2]', 1_800_000],
    ['x[1h30m % 1h]', 1_800_000],
    ['x[2m*(10+5)]', 1_800_000],
    ['x[24m+((1.5*2m)+2m)]', 1_740_000],
    ['x[-5m+35m]', 1_800_000],
    ['x[11s+10s-5*2^2]', 1000],
  ];
  for (const [input, ms] of ranges) {
    const e = parseExpr(input);
    assert.ok(e.kind === 'MatrixSelector', input);
    assert.equal(e.range, ms, input);
  }
  const dynamic = parseExpr('x[step() + 1m]');
  assert.ok(dynamic.kind === 'MatrixSelector');
  assert.equal(dynamic.range, 0);
  assert.equal(dynamic.rangeExpr && formatExpr(dynamic.rangeExpr), 'step() + 1m');
});

test('subqueries: range, optional step, offset and @ of their own', () => {
  const s = parseExpr('rate(x[5m])[30m:1m] offset 1h @ end()');
  assert.ok(s.kind === 'SubqueryExpr');
  assert.equal(s.range, 1_800_000);
  assert.equal(s.step, 60_000);
  assert.equal(s.offset, 3_600_000);
  assert.deepEqual(s.at, { kind: 'end' });
  assert.equal(s.expr.kind, 'Call');
  const noStep = parseExpr('x[30m:]');
  assert.ok(noStep.kind === 'SubqueryExpr');
  assert.equal(noStep.step, 0);
  const inner = parseExpr('some_metric @ 123 offset 1m [10m:5s]');
  assert.ok(inner.kind === 'SubqueryExpr' && inner.expr.kind === 'VectorSelector');
  assert.equal(inner.expr.offset, 60_000);
  assert.equal(inner.offset, 0);
  const exprs = parseExpr('x[29s+1s:5s+5s] offset (20*2s)');
  assert.ok(exprs.kind === 'SubqueryExpr');
  assert.deepEqual([exprs.range, exprs.step, exprs.offset], [30_000, 10_000, 40_000]);
  const nested = parseExpr('min_over_time(rate(foo[2s])[5m:])[4m:3s]');
  assert.ok(nested.kind === 'SubqueryExpr');
  assert.deepEqual(nested.pos, { start: 0, end: 40 });
});

test('binary operators: vector matching only between vectors; set operators are many-to-many', () => {
  const join = parseExpr('a * on(x, "y.z") group_left(c) b');
  assert.ok(join.kind === 'BinaryExpr');
  assert.deepEqual(join.matching, {
    card: 'many-to-one',
    on: true,
    matchingLabels: ['x', 'y.z'],
    include: ['c'],
  });
  const scalar = parseExpr('a * 2');
  assert.ok(scalar.kind === 'BinaryExpr' && scalar.matching === null);
  const set = parseExpr('a unless ignoring(b) c');
  assert.ok(set.kind === 'BinaryExpr');
  assert.deepEqual(set.matching, { card: 'many-to-many', on: false, matchingLabels: ['b'], include: [] });
  const fill = parseExpr('a + fill_left(0) fill_right(-1) b');
  assert.ok(fill.kind === 'BinaryExpr');
  assert.equal(fill.matching?.fillLeft, 0);
  assert.equal(fill.matching?.fillRight, -1);
  const fillName = parseExpr('fill + fill');
  assert.ok(fillName.kind === 'BinaryExpr' && fillName.lhs.kind === 'VectorSelector');
});

test('calls and aggregations carry positions from name to closing parenthesis', () => {
  const e = parseExpr('sum by (job)(rate(http_requests_total[30m]))');
  assert.ok(e.kind === 'AggregateExpr');
  assert.deepEqual(e.pos, { start: 0, end: 44 });
  assert.ok(e.expr.kind === 'Call');
  assert.deepEqual(e.expr.pos, { start: 13, end: 43 });
  const after = parseExpr('sum (some_metric) without (foo)');
  assert.deepEqual(after.pos, { start: 0, end: 31 });
  const paren = parseExpr('(sum(foo) )');
  assert.deepEqual(paren.pos, { start: 0, end: 11 });
});

test('info() accepts a label-only selector that may match empty values', () => {
  const e = parseExpr('info(metric, {data=~".*"})');
  assert.ok(e.kind === 'Call' && e.args.length === 2);
});

test('parseMetricSelector returns the matchers of a series selector', () => {
  assert.deepEqual(
    parseMetricSelector('up').map((m) => `${m.name}${m.type}${m.value}`),
    ['__name__=up'],
  );
  assert.deepEqual(
    parseMetricSelector('http_requests_total{code=~"5..", job="api"}').map(
      (m) => `${m.name}${m.type}${m.value}`,
    ),
    ['code=~5..', 'job=api', '__name__=http_requests_total'],
  );
  assert.deepEqual(parseMetricSelector('{}'), []);
  for (const bad of ['up + 1', 'rate(x[5m])', 'x[5m]', '', '1', 'up offset 5m']) {
    assert.throws(() => parseMetricSelector(bad), /parse error/, bad);
  }
});

test('the AST is plain data: parsing twice gives equal trees', () => {
  const q = 'sum by (a) (rate(x{b="c"}[5m] offset 1m)) / on(a) group_left count(y) > bool 0.5';
  assert.equal(formatExpr(parseExpr(q)), formatExpr(parseExpr(q)));
});
