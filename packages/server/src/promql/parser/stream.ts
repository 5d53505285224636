/** The parser's view of the token list: one token of lookahead and Prometheus-style error reporting. */

import type { PosRange } from './ast.js';
import { ParseError } from './errors.js';
import { describeToken, type Token, type TokenType } from './token.js';

export class TokenStream {
  private i = 0;
  /**
   * End offset of the last `)`, `]`, `}`, number or duration consumed. Prometheus ends call,
   * aggregation and modifier positions there, and so do we.
   */
  lastClosing = 0;

  constructor(
    readonly input: string,
    private readonly tokens: readonly Token[],
  ) {}

  /** The next token. A lexical error surfaces here, when the parser first looks at it. */
  peek(): Token {
    const tok = this.tokens[this.i] as Token;
    if (tok.type === 'ERROR') this.fail(tok.val, { start: tok.pos, end: this.input.length });
    return tok;
  }

  /** The token after the next one, without consuming anything (EOF past the end). */
  peekSecond(): Token {
    const tok = this.tokens[this.i + 1];
    return tok && tok.type !== 'ERROR' ? tok : { type: 'EOF', val: '', pos: this.input.length };
  }

  next(): Token {
    const tok = this.peek();
    if (tok.type !== 'EOF') this.i++;
    if (
      tok.type === ')' ||
      tok.type === ']' ||
      tok.type === '}' ||
      tok.type === 'NUMBER' ||
      tok.type === 'DURATION'
    ) {
      this.lastClosing = tok.pos + tok.val.length;
    }
    return tok;
  }

  /** Consumes the next token if it has the given type. */
  accept(type: TokenType): Token | undefined {
    return this.peek().type === type ? this.next() : undefined;
  }

  /** Consumes a token of the given type or fails with `unexpected X in <context>, expected <expected>`. */
  expect(type: TokenType, context: string, expected: string): Token {
    return this.accept(type) ?? this.unexpected(context, expected);
  }

  fail(reason: string, pos: PosRange): never {
    throw new ParseError(reason, pos, this.input);
  }

  /** Prometheus' `unexpected` message about the next token; context and expected may be empty. */
  unexpected(context: string, expected: string, tok: Token = this.peek()): never {
    let msg = `unexpected ${describeToken(tok)}`;
    if (context !== '') msg += ` in ${context}`;
    if (expected !== '') msg += `, expected ${expected}`;
    this.fail(msg, { start: tok.pos, end: tok.pos + tok.val.length });
  }
}

/** The range of a token. */
export function tokenRange(tok: Token): PosRange {
  return { start: tok.pos, end: tok.pos + tok.val.length };
}
