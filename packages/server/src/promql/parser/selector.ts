/** Vector selectors (`name{label="v", "utf8.name"=~"…"}`) and grouping label lists (`by (a, "b")`). */

import { InvalidMatcherError, type Matcher, type MatchType, newMatcher } from '../../model/matcher.js';
import type { PosRange, VectorSelector } from './ast.js';
import { unquoteString } from './literals.js';
import { type TokenStream, tokenRange } from './stream.js';
import { isWord, type Token, type TokenType } from './token.js';

const MATCH_OPS: ReadonlySet<TokenType> = new Set(['=', '!=', '=~', '!~']);

/**
 * Parses a vector selector whose metric name token (if any) is already consumed; the next token is
 * `{` or the selector has no braces. As upstream, a name written before the braces becomes a
 * `__name__="name"` matcher appended after the others.
 */
export function parseVectorSelector(ts: TokenStream, nameTok: Token | undefined): VectorSelector {
  const matchers: Matcher[] = [];
  let start = nameTok?.pos ?? ts.peek().pos;
  let end = nameTok ? nameTok.pos + nameTok.val.length : start;
  if (ts.peek().type === '{') {
    const open = ts.next();
    start = nameTok?.pos ?? open.pos;
    end = parseLabelMatchers(ts, matchers);
  }
  const name = nameTok?.val ?? '';
  if (name !== '') matchers.push(newMatcher('=', '__name__', name));
  return { kind: 'VectorSelector', name, matchers, offset: 0, at: null, pos: { start, end } };
}

/** Parses `label op "value", …}` after the `{`; returns the end offset of the `}`. */
function parseLabelMatchers(ts: TokenStream, out: Matcher[]): number {
  const close = ts.accept('}');
  if (close) return close.pos + 1;
  for (;;) {
    out.push(parseLabelMatcher(ts));
    const tok = ts.peek();
    if (tok.type === ',') {
      ts.next();
      const trailing = ts.accept('}');
      if (trailing) return trailing.pos + 1;
    } else if (tok.type === '}') {
      ts.next();
      return tok.pos + 1;
    } else {
      ts.unexpected('label matching', '"," or "}"');
    }
  }
}

function parseLabelMatcher(ts: TokenStream): Matcher {
  const label = ts.peek();
  if (label.type !== 'IDENTIFIER' && label.type !== 'STRING')
    ts.unexpected('label matching', 'identifier or "}"');
  ts.next();
  const name = label.type === 'STRING' ? unquoteString(label.val) : label.val;
  const op = ts.peek();
  if (!MATCH_OPS.has(op.type)) {
    // A quoted name alone is the metric name: {"my.metric", job="x"}.
    if (label.type === 'STRING') return newMatcher('=', '__name__', name);
    ts.unexpected('label matching', 'label matching operator');
  }
  ts.next();
  const value = ts.peek();
  if (value.type !== 'STRING') ts.unexpected('label matching', 'string');
  ts.next();
  return compileMatcher(ts, op.type as MatchType, name, unquoteString(value.val), {
    start: label.pos,
    end: value.pos + value.val.length,
  });
}

function compileMatcher(
  ts: TokenStream,
  type: MatchType,
  name: string,
  value: string,
  pos: PosRange,
): Matcher {
  try {
    return newMatcher(type, name, value);
  } catch (err) {
    if (err instanceof InvalidMatcherError) ts.fail(err.message, pos);
    throw err;
  }
}

/**
 * Parses `(a, b, "c.d")` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
 * Keywords are fine as label names there (except `without`, as upstream's grammar has it).
 */
export function parseGroupingLabels(ts: TokenStream): string[] {
  ts.expect('(', 'grouping opts', '"("');
  const labels: string[] = [];
  if (ts.accept(')')) return labels;
  for (;;) {
    const tok = ts.peek();
    labels.push(groupingLabel(ts, tok));
    ts.next();
    if (ts.accept(',')) {
      if (ts.accept(')')) return labels;
    } else if (ts.accept(')')) {
      return labels;
    } else {
      ts.unexpected('grouping opts', '"," or ")"');
    }
  }
}

function groupingLabel(ts: TokenStream, tok: Token): string {
  switch (tok.type) {
    case 'STRING': {
      const name = unquoteString(tok.val);
      if (name === '') ts.fail(`invalid label name for grouping: ""`, tokenRange(tok));
      return name;
    }
    case 'IDENTIFIER':
    case 'METRIC_IDENTIFIER':
      return tok.val;
    case 'without':
    case 'fill':
    case 'fill_left':
    case 'fill_right':
      return ts.unexpected('grouping opts', 'label');
  }
  return isWord(tok.type) ? tok.val : ts.unexpected('grouping opts', 'label');
}
