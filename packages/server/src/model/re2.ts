/**
 * Translates the RE2 syntax Prometheus accepts in `=~`/`!~` into JavaScript RegExp syntax where
 * the two differ and Node 20 lacks the feature: flag groups `(?i:…)` and `(?i)` (JavaScript's
 * inline modifiers arrive only in newer engines) and named groups `(?P<name>…)`.
 *
 * Case-insensitive parts are rewritten letter by letter (`a` → `[aA]`, `[a-c]` → `[a-cA-C]`), so
 * the rest of the pattern keeps its own case sensitivity, as RE2 scopes the flag.
 */

function swapCase(ch: string): string {
  const lower = ch.toLowerCase();
  return lower === ch ? ch.toUpperCase() : lower;
}

function isLetter(ch: string): boolean {
  return ch.toLowerCase() !== ch.toUpperCase();
}

/** Length of the escape sequence starting at `src[i] === '\\'`. */
function escapeLength(src: string, i: number): number {
  const next = src[i + 1];
  if ((next === 'x' || next === 'p' || next === 'P') && src[i + 2] === '{') {
    const close = src.indexOf('}', i + 3);
    return close < 0 ? 2 : close - i + 1;
  }
  return next === undefined ? 1 : 2;
}

/** Copies a character class starting at `src[i] === '['`; adds the other case of letters when `fold`. */
function charClass(src: string, i: number, fold: boolean): [string, number] {
  let j = i + 1;
  let body = '';
  if (src[j] === '^') body += src[j++];
  if (src[j] === ']') body += src[j++];
  const extra: string[] = [];
  while (j < src.length && src[j] !== ']') {
    if (src[j] === '\\') {
      const n = escapeLength(src, j);
      body += src.slice(j, j + n);
      j += n;
      continue;
    }
    if (src.startsWith('[:', j)) {
      const close = src.indexOf(':]', j + 2);
      if (close > 0) {
        body += src.slice(j, close + 2);
        j = close + 2;
        continue;
      }
    }
    const ch = src[j]!;
    if (src[j + 1] === '-' && src[j + 2] !== undefined && src[j + 2] !== ']') {
      const hi = src[j + 2]!;
      body += `${ch}-${hi}`;
      if (fold && isLetter(ch) && isLetter(hi) && swapCase(ch) !== ch)
        extra.push(`${swapCase(ch)}-${swapCase(hi)}`);
      j += 3;
      continue;
    }
    body += ch;
    if (fold && isLetter(ch)) extra.push(swapCase(ch));
    j++;
  }
  return [`[${body}${extra.join('')}]`, j + 1];
}

/** The JavaScript pattern for an RE2 pattern (unchanged when it uses no flag or named group). */
export function re2ToJs(src: string): string {
  if (!src.includes('(?')) return src;
  let out = '';
  let fold = false;
  const saved: boolean[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '\\') {
      const n = escapeLength(src, i);
      out += src.slice(i, i + n);
      i += n;
    } else if (ch === '[') {
      const [cls, end] = charClass(src, i, fold);
      out += cls;
      i = end;
    } else if (ch === '(') {
      const flags = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(src.slice(i));
      if (flags !== null && (flags[1] !== '' || flags[2] !== undefined)) {
        const on = flags[1]!.includes('i');
        const off = (flags[2] ?? '').includes('i');
        const scoped: boolean = on ? true : off ? false : fold;
        if (flags[3] === ')') fold = scoped;
        else {
          saved.push(fold);
          fold = scoped;
          out += '(?:';
        }
        i += flags[0].length;
      } else if (src.startsWith('(?P<', i)) {
        saved.push(fold);
        out += '(?<';
        i += 4;
      } else {
        saved.push(fold);
        out += '(';
        i++;
      }
    } else if (ch === ')') {
      fold = saved.pop() ?? fold;
      out += ')';
      i++;
    } else {
      out += fold && isLetter(ch) ? `[${ch}${swapCase(ch)}]` : ch;
      i++;
    }
  }
  return out;
}
