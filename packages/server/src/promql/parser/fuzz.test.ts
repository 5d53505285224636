// Whatever the input, the parser either returns a tree that prints and re-parses, or throws a
// ParseError: never a TypeError or another internal error that the API would turn into a 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { ParseError } from './errors.js';
import { parseExpr } from './parse.js';
import { formatExpr } from './printer.js';

const SEEDS = [
  'sum by (job) (rate(http_requests_total{job=~"api|web", code!="500"}[5m] offset 1h @ 100))',
  'histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (le)) > bool on(a) group_left(b) 0.5',
  'topk(3, x[30m:1m] @ start()) or count_values("v", -y ^ 2 % 3) unless z',
  "label_replace(up, 'a', `$1`, \"b\", '(.*)') * ignoring(c) vector(time() - 1h)",
  'x[step() + min_of(1m, range())] offset -(2 * 1s) anchored',
  '{"utf8.name", "a.b"=~"c"} # comment',
];
const ALPHABET = [...'(){}[],:=!~<>+-*/%^@"\'`#. \n0123456789abcxyz_'];

test('mutated queries parse or fail with a ParseError', () => {
  const rand = mulberry32(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  let parsed = 0;
  for (let i = 0; i < 5000; i++) {
    let q = pick(SEEDS);
    for (let edits = 1 + Math.floor(rand() * 4); edits > 0; edits--) {
      const at = Math.floor(rand() * (q.length + 1));
      const op = rand();
      if (op < 0.4) q = q.slice(0, at) + q.slice(at + 1);
      else if (op < 0.8) q = q.slice(0, at) + pick(ALPHABET) + q.slice(at);
      else q = q.slice(0, at) + q.slice(at, at + 8) + q.slice(at);
    }
    try {
      const printed = formatExpr(parseExpr(q));
      assert.equal(formatExpr(parseExpr(printed)), printed, `round trip of ${JSON.stringify(q)}`);
      parsed++;
    } catch (err) {
      if (!(err instanceof ParseError)) assert.fail(`${JSON.stringify(q)} threw ${(err as Error).stack}`);
    }
  }
  assert.ok(parsed > 100, `only ${parsed} mutated queries parsed`);
});
