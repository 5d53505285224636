/**
 * The PromQL lexer. Like Prometheus' it has three modes: statements, the inside of `{…}` (where
 * keywords are plain label names) and the inside of `[…]` (durations and duration arithmetic).
 * It lexes the whole input up front; the first lexical error ends the token list with an ERROR
 * token, which the parser reports when it reaches it, so syntax errors before it win, as upstream.
 */

import { quoteRune, unicodeRune } from './literals.js';
import { keywordOf, type Token, type TokenType } from './token.js';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) =>
  c !== undefined && (c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined) => isAlpha(c) || isDigit(c);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Words allowed inside brackets besides durations: the duration functions. */
const DURATION_WORDS = new Set(['step', 'range', 'min_of', 'max_of']);

/** Lexes a whole query. The result ends with an EOF token, or with an ERROR token at the first lexical error. */
export function lex(input: string): Token[] {
  return new Lexer(input).run();
}

class Lexer {
  private pos = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  private gotColon = false;
  private gotOperand = false;
  private readonly tokens: Token[] = [];
  private done = false;

  constructor(private readonly input: string) {}

  run(): Token[] {
    while (!this.done) {
      if (this.braceOpen) this.insideBraces();
      else if (this.bracketOpen) this.insideBrackets();
      else this.statement();
    }
    return this.tokens;
  }

  private emit(type: TokenType, start: number, end = this.pos): undefined {
    this.tokens.push({ type, val: this.input.slice(start, end), pos: start });
    if (type === 'EOF') this.done = true;
  }

  private error(message: string, at: number): undefined {
    this.tokens.push({ type: 'ERROR', val: message, pos: at });
    this.done = true;
  }

  private peek(offset = 0): string | undefined {
    return this.input[this.pos + offset];
  }

  /** The character at the cursor as a whole code point, for error messages. */
  private charAt(pos: number): string {
    const cp = this.input.codePointAt(pos);
    return cp === undefined ? '\ufffd' : String.fromCodePoint(cp);
  }

  private skipLineComment(): undefined {
    while (this.pos < this.input.length && this.peek() !== '\n' && this.peek() !== '\r') this.pos++;
  }

  private statement(): undefined {
    const start = this.pos;
    const c = this.peek();
    if (c === undefined) {
      if (this.parenDepth !== 0) this.error('unclosed left parenthesis', start);
      else this.emit('EOF', start);
      return;
    }
    if (c === '#') return this.skipLineComment();
    if (isSpace(c)) {
      this.pos++;
      return;
    }
    if (isDigit(c) || (c === '.' && isDigit(this.peek(1)))) return this.numberOrDuration();
    if (c === '"' || c === "'") return this.quotedString(c);
    if (c === '`') return this.rawString();
    if (isAlpha(c) || c === ':') return this.word();
    this.pos++;
    const next = this.peek();
    switch (c) {
      case ',':
      case '*':
      case '/':
      case '%':
      case '+':
      case '-':
      case '^':
      case '@':
        return this.emit(c, start);
      case '=':
        if (next === '~') return this.error(`unexpected character after '=': ${quoteRune('~')}`, start);
        if (next === '=') this.pos++;
        return this.emit(next === '=' ? '==' : '=', start);
      case '!':
        if (next !== '=')
          return this.error(`unexpected character after '!': ${quoteRune(this.charAt(this.pos))}`, start);
        this.pos++;
        return this.emit('!=', start);
      case '<':
      case '>':
        if (next !== '=' && next !== '/') return this.emit(c, start);
        this.pos++;
        return this.emit(`${c}${next}` as '<=' | '>=' | '</' | '>/', start);
      case '(':
        this.parenDepth++;
        return this.emit('(', start);
      case ')':
        // Upstream's lexer replaces the stray ")" by the error, positioned after it.
        if (--this.parenDepth < 0)
          return this.error(`unexpected right parenthesis ${quoteRune(')')}`, this.pos);
        return this.emit(')', start);
      case '{':
        this.braceOpen = true;
        return this.emit('{', start);
      case '[':
        this.bracketOpen = true;
        this.gotColon = false;
        this.gotOperand = false;
        return this.emit('[', start);
      case ']':
        return this.error(`unexpected right bracket ${quoteRune(']')}`, start);
    }
    this.error(`unexpected character: ${quoteRune(this.charAt(start))}`, start);
  }

  private insideBraces(): undefined {
    const start = this.pos;
    const c = this.peek();
    if (c === undefined) return this.error('unexpected end of input inside braces', start);
    if (c === '#') return this.skipLineComment();
    if (isSpace(c)) {
      this.pos++;
      return;
    }
    if (isAlpha(c)) {
      // Inside braces every word is a label name, keywords included.
      while (isAlnum(this.peek())) this.pos++;
      return this.emit('IDENTIFIER', start);
    }
    if (c === '"' || c === "'") return this.quotedString(c);
    if (c === '`') return this.rawString();
    this.pos++;
    const next = this.peek();
    switch (c) {
      case ',':
        return this.emit(',', start);
      case '=':
        if (next === '~') this.pos++;
        return this.emit(next === '~' ? '=~' : '=', start);
      case '!':
        if (next !== '~' && next !== '=') {
          return this.error(
            `unexpected character after '!' inside braces: ${quoteRune(this.charAt(this.pos))}`,
            start,
          );
        }
        this.pos++;
        return this.emit(next === '~' ? '!~' : '!=', start);
      case '{':
        return this.error(`unexpected left brace ${quoteRune('{')}`, start);
      case '}':
        this.braceOpen = false;
        return this.emit('}', start);
    }
    this.error(`unexpected character inside braces: ${quoteRune(this.charAt(start))}`, start);
  }

  private insideBrackets(): undefined {
    const start = this.pos;
    const c = this.peek();
    if (c === undefined) return this.error('unexpected end of input in duration expression', start);
    if (isSpace(c)) {
      this.pos++;
      return;
    }
    if (isDigit(c) || (c === '.' && isDigit(this.peek(1)))) {
      this.gotOperand = true;
      return this.numberOrDuration();
    }
    if (isAlpha(c)) {
      while (isAlnum(this.peek())) this.pos++;
      const word = this.input.slice(start, this.pos).toLowerCase();
      if (!DURATION_WORDS.has(word)) {
        // Upstream's lexer words this differently once a duration has been read.
        const msg = this.gotOperand
          ? `unexpected character: ${quoteRune(c)}, expected ${quoteRune(':')}`
          : `unexpected character in duration expression: ${quoteRune(c)}`;
        return this.error(msg, start);
      }
      this.gotOperand = true;
      return this.emit(keywordOf(word) ?? 'IDENTIFIER', start);
    }
    this.pos++;
    switch (c) {
      case ']':
        this.bracketOpen = false;
        return this.emit(']', start);
      case ':':
        this.emit(':', start);
        if (!this.gotOperand) this.error('unexpected colon before duration in duration expression', start);
        else if (this.gotColon) this.error('unexpected repeated colon in duration expression', start);
        this.gotColon = true;
        return;
      case '(':
        this.parenDepth++;
        return this.emit('(', start);
      case ')':
        // Upstream's lexer replaces the stray ")" by the error, positioned after it.
        if (--this.parenDepth < 0)
          return this.error(`unexpected right parenthesis ${quoteRune(')')}`, this.pos);
        return this.emit(')', start);
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '^':
      case ',':
        return this.emit(c, start);
    }
    this.error(`unexpected character in duration expression: ${quoteRune(this.charAt(start))}`, start);
  }

  /** A word outside braces: keyword, `Inf`/`NaN`, identifier, or metric identifier (with colons). */
  private word(): undefined {
    const start = this.pos;
    while (isAlnum(this.peek()) || this.peek() === ':') this.pos++;
    const text = this.input.slice(start, this.pos);
    const lower = text.toLowerCase();
    if (lower === 'inf' || lower === 'nan') return this.emit('NUMBER', start);
    const kw = keywordOf(text);
    // fill* are keywords only before "(", so that existing metrics named "fill" keep working.
    if (kw !== undefined && (!kw.startsWith('fill') || this.followedByParen())) return this.emit(kw, start);
    this.emit(text.includes(':') ? 'METRIC_IDENTIFIER' : 'IDENTIFIER', start);
  }

  private followedByParen(): boolean {
    let i = this.pos;
    while (isSpace(this.input[i])) i++;
    return this.input[i] === '(';
  }

  /**
   * A number, or a duration such as `5m` or `1h30m`. On failure the message quotes the text up to
   * the offending character, as upstream's lexer does (`bad number or duration syntax: "5mm"`).
   */
  private numberOrDuration(): undefined {
    const start = this.pos;
    const rest = this.input.slice(start);
    const m = /^0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*/.exec(rest) ?? NUMBER_RE.exec(rest);
    this.pos += m ? m[0].length : 0;
    const next = this.peek();
    if (next === '.') {
      this.pos++;
    } else if (!isAlnum(next)) {
      return this.emit('NUMBER', start);
    } else if (this.durationRest()) {
      return this.emit('DURATION', start);
    }
    this.error(`bad number or duration syntax: ${JSON.stringify(this.input.slice(start, this.pos))}`, start);
  }

  /** Units and further digit groups after a duration's first digits; consumes what it reads. */
  private durationRest(): boolean {
    const accept = (chars: string) => {
      const c = this.peek();
      if (c === undefined || !chars.includes(c)) return false;
      this.pos++;
      return true;
    };
    if (!accept('smhdwy')) return false;
    accept('s');
    while (isDigit(this.peek())) {
      while (isDigit(this.peek())) this.pos++;
      if (!accept('smhdw')) return false;
      accept('s');
    }
    if (!isAlnum(this.peek())) return true;
    this.pos++;
    return false;
  }

  private quotedString(quote: string): undefined {
    const start = this.pos++;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '\n') return this.error('unterminated quoted string', start);
      this.pos++;
      if (c === quote) return this.emit('STRING', start);
      if (c === '\\') {
        const problem = this.escape(quote);
        if (problem) return this.error(problem, start);
      }
    }
  }

  /** Validates one escape sequence (the backslash is consumed) as Go's scanner does; returns an error text. */
  private escape(quote: string): string | undefined {
    const c = this.peek();
    if (c === undefined) return 'escape sequence not terminated';
    this.pos++;
    if ('abfnrtv\\'.includes(c) || c === quote) return undefined;
    let digits: number;
    let base: number;
    let max: number;
    if (c >= '0' && c <= '7') {
      [digits, base, max] = [2, 8, 255];
    } else if (c === 'x' || c === 'u' || c === 'U') {
      [digits, base, max] = c === 'x' ? [2, 16, 255] : [c === 'u' ? 4 : 8, 16, 0x10ffff];
    } else {
      return `unknown escape sequence ${unicodeRune(this.charAt(this.pos - 1))}`;
    }
    let value = base === 8 ? Number(c) : 0;
    for (let i = 0; i < digits; i++) {
      const d = this.peek();
      if (d === undefined) return 'escape sequence not terminated';
      const v = Number.parseInt(d, base);
      if (Number.isNaN(v))
        return `illegal character ${unicodeRune(this.charAt(this.pos))} in escape sequence`;
      value = value * base + v;
      this.pos++;
    }
    if (value > max || (value >= 0xd800 && value < 0xe000))
      return 'escape sequence is an invalid Unicode code point';
    return undefined;
  }

  private rawString(): undefined {
    const start = this.pos++;
    const end = this.input.indexOf('`', this.pos);
    if (end === -1) return this.error('unterminated raw string', start);
    this.pos = end + 1;
    this.emit('STRING', start);
  }
}

/** Decimal numbers with optional fraction, exponent and digit-group underscores: `1`, `1.5`, `.5`, `5.`, `1e-3`, `1_000`. */
const NUMBER_RE =
  /^(?:[0-9]+(?:_[0-9]+)*(?:\.(?:[0-9]+(?:_[0-9]+)*)?)?|\.[0-9]+(?:_[0-9]+)*)(?:[eE][+-]?[0-9]+(?:_[0-9]+)*)?/;
