/** PromQL tokens, their keyword table and how error messages name them. */

import { quoteString } from './literals.js';

/** Words the lexer turns into keyword tokens (case-insensitively), grouped as Prometheus groups them. */
const OPERATOR_WORDS = ['and', 'or', 'unless', 'atan2'] as const;
const AGGREGATOR_WORDS = [
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
] as const;
const KEYWORD_WORDS = [
  'offset',
  'smoothed',
  'anchored',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'fill',
  'fill_left',
  'fill_right',
  'bool',
] as const;
/** `@ start()`, `@ end()` and the duration functions `step()`, `range()`. */
const PREPROCESSOR_WORDS = ['start', 'end', 'step', 'range'] as const;

type OperatorWord = (typeof OPERATOR_WORDS)[number];
type AggregatorWord = (typeof AGGREGATOR_WORDS)[number];
type KeywordWord = (typeof KEYWORD_WORDS)[number];
type PreprocessorWord = (typeof PREPROCESSOR_WORDS)[number];
export type Word = OperatorWord | AggregatorWord | KeywordWord | PreprocessorWord;

export type Sym =
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | ','
  | ':'
  | '='
  | '@'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '</'
  | '>/'
  | '=~'
  | '!~';

export type TokenType =
  | 'EOF'
  | 'ERROR'
  | 'IDENTIFIER'
  | 'METRIC_IDENTIFIER'
  | 'NUMBER'
  | 'DURATION'
  | 'STRING'
  | Sym
  | Word;

export interface Token {
  readonly type: TokenType;
  /** The source text (for ERROR: the message). */
  readonly val: string;
  /** Offset of the first character in the query. */
  readonly pos: number;
}

const WORDS: ReadonlyMap<string, Word> = new Map(
  [...OPERATOR_WORDS, ...AGGREGATOR_WORDS, ...KEYWORD_WORDS, ...PREPROCESSOR_WORDS].map((w) => [w, w]),
);

/** The keyword token for a word, matched case-insensitively as Prometheus does; undefined for other words. */
export function keywordOf(word: string): Word | undefined {
  return WORDS.get(word.toLowerCase());
}

export function isAggregator(t: TokenType): t is AggregatorWord {
  return (AGGREGATOR_WORDS as readonly string[]).includes(t);
}

/** True for every word token: these may also be metric or label names where the grammar allows. */
export function isWord(t: TokenType): t is Word {
  return WORDS.has(t);
}

/**
 * How Prometheus' `unexpected X` names a token: `"}"`, `<op:+>`, `<aggr:sum>`, `<by>`,
 * `identifier "foo"`, `number "1"`, `string "\"a\""`, `end of input`.
 */
export function describeToken(tok: Token): string {
  const t = tok.type;
  switch (t) {
    case 'EOF':
      return 'end of input';
    case 'ERROR':
      return `error ${tok.val}`;
    case 'IDENTIFIER':
      return `identifier ${quoteString(tok.val)}`;
    case 'METRIC_IDENTIFIER':
      return `metric identifier ${quoteString(tok.val)}`;
    case 'NUMBER':
      return `number ${truncatedQuote(tok.val)}`;
    case 'DURATION':
      return `duration ${truncatedQuote(tok.val)}`;
    case 'STRING':
      return `string ${truncatedQuote(tok.val)}`;
  }
  if ((OPERATOR_WORDS as readonly string[]).includes(t) || isSymbolOperator(t)) return `<op:${tok.val}>`;
  if (isAggregator(t)) return `<aggr:${tok.val}>`;
  if ((KEYWORD_WORDS as readonly string[]).includes(t)) return `<${tok.val}>`;
  return truncatedQuote(tok.val);
}

function isSymbolOperator(t: TokenType): boolean {
  return [
    '+',
    '-',
    '*',
    '/',
    '%',
    '^',
    '==',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    '</',
    '>/',
    '=~',
    '!~',
    '@',
  ].includes(t);
}

/** Go's `%.10q...` for long values, `%q` otherwise. */
function truncatedQuote(val: string): string {
  const chars = [...val];
  return chars.length > 10 ? `${quoteString(chars.slice(0, 10).join(''))}...` : quoteString(val);
}
