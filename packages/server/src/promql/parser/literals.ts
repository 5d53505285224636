/**
 * Number and string literals as Go reads and writes them, because PromQL's literal syntax is Go's:
 * `strconv.ParseInt(s, 0, 64)` then `ParseFloat` for numbers, Go escapes for strings, and Go's
 * `%q`/`FormatFloat(f, 'f', -1, 64)` for printing.
 */

/** The value of a NUMBER token: decimal, `0x1f`, `0o17`, `017` (octal, as in Go), `0b101`, `1e3`, `.5`, `Inf`, `NaN`, `1_000`. */
export function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const plain = lower.replaceAll('_', '');
  if (/^0x[0-9a-f]+$/.test(plain)) return Number.parseInt(plain.slice(2), 16);
  if (/^0b[01]+$/.test(plain)) return Number.parseInt(plain.slice(2), 2);
  if (/^0o[0-7]+$/.test(plain)) return Number.parseInt(plain.slice(2), 8);
  if (/^0[0-7]+$/.test(plain)) return Number.parseInt(plain.slice(1), 8);
  const n = Number(plain);
  if (plain === '' || Number.isNaN(n)) {
    throw new Error(`error parsing number: strconv.ParseFloat: parsing ${quoteString(text)}: invalid syntax`);
  }
  if (!Number.isFinite(n)) {
    throw new Error(
      `error parsing number: strconv.ParseFloat: parsing ${quoteString(text)}: value out of range`,
    );
  }
  return n;
}

/** Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const s = String(v);
  const e = s.indexOf('e');
  if (e === -1) return s;
  // Expand JavaScript's exponent form: digits d.ddd × 10^exp.
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const digits = mantissa.replace('.', '');
  const point = (mantissa.indexOf('.') === -1 ? mantissa.length : mantissa.indexOf('.')) + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/**
 * Decodes a string token (with its quotes) the way Go does: `"…"` and `'…'` with backslash escapes
 * (`\n`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal `\NNN`…), `` `…` `` raw. The lexer has already
 * rejected bad escapes. `\x` and octal escapes are bytes, as in Go, so `"\xc3\xa9"` is "é".
 */
export function unquoteString(token: string): string {
  const quote = token[0];
  const body = token.slice(1, -1);
  if (quote === '`') return body;
  if (!body.includes('\\')) return body;
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const pushText = (t: string) => {
    for (const b of encoder.encode(t)) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      const cp = body.codePointAt(i) as number;
      const text = String.fromCodePoint(cp);
      pushText(text);
      i += text.length - 1;
      continue;
    }
    const esc = body[++i] as string;
    const simple = SIMPLE_ESCAPES[esc];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (esc === 'x') {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (esc === 'u' || esc === 'U') {
      const n = esc === 'u' ? 4 : 8;
      pushText(String.fromCodePoint(Number.parseInt(body.slice(i + 1, i + 1 + n), 16)));
      i += n;
    } else {
      bytes.push(Number.parseInt(body.slice(i, i + 3), 8));
      i += 2;
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 7,
  b: 8,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '\\': 92,
  "'": 39,
  '"': 34,
};

const QUOTE_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

/** Go's `strconv.Quote` (`%q`): double quotes, Go escapes, printable Unicode kept as is. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' ? '\\"' : escapeChar(ch);
  return `${out}"`;
}

/** Go's `%q` of a rune, as the lexer's error messages print it: `'x'`, `'\n'`. */
export function quoteRune(ch: string): string {
  return `'${ch === "'" ? "\\'" : escapeChar(ch)}'`;
}

/** Go's `%#U` of a rune, as in `unknown escape sequence U+0071 'q'`. */
export function unicodeRune(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return isPrintable(ch) ? `U+${hex} '${ch}'` : `U+${hex}`;
}

function escapeChar(ch: string): string {
  const known = QUOTE_ESCAPES[ch];
  if (known !== undefined) return known;
  if (isPrintable(ch)) return ch;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

function isPrintable(ch: string): boolean {
  return !/^[\p{C}\p{Zl}\p{Zp}]$/u.test(ch) && (ch === ' ' || !/^\p{Z}$/u.test(ch));
}
