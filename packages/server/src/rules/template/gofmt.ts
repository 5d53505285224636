/**
 * Go's number formatting, as `fmt` and `strconv` print floats, so that `{{ $value }}`,
 * `{{ humanize … }}` and `printf` give the same text as in Prometheus.
 */

function specials(v: number): string | null {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return null;
}

/** Digits and exponent: `prec` significant digits, or the shortest exact ones when undefined. */
function digitsOf(v: number, prec?: number): { neg: boolean; mant: string; exp: number } {
  const s =
    prec === undefined ? Math.abs(v).toExponential() : Math.abs(v).toExponential(Math.max(prec - 1, 0));
  const [m, e] = s.split('e') as [string, string];
  return { neg: v < 0 || Object.is(v, -0), mant: m, exp: Number(e) };
}

function expPart(exp: number): string {
  const a = Math.abs(exp);
  return `e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

function stripZeros(m: string): string {
  return m.includes('.') ? m.replace(/\.?0+$/, '') : m;
}

/** `%e` with `prec` digits after the point, or `strconv.FormatFloat(v, 'e', -1, 64)` without. */
export function formatE(v: number, prec?: number): string {
  const sp = specials(v);
  if (sp !== null) return sp;
  const d = digitsOf(v, prec === undefined ? undefined : prec + 1);
  return `${d.neg ? '-' : ''}${d.mant}${expPart(d.exp)}`;
}

/** `%g` with `prec` significant digits, or `%v` (shortest digits) without. */
export function formatG(v: number, prec?: number): string {
  const sp = specials(v);
  if (sp !== null) return sp;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const p = prec === 0 ? 1 : prec;
  const d = digitsOf(v, p);
  // Go: %e when the exponent is < -4 or >= the precision (6 for the shortest form, "%v").
  const eprec = p === undefined ? 6 : p;
  const sign = d.neg ? '-' : '';
  if (d.exp < -4 || d.exp >= eprec) return `${sign}${stripZeros(d.mant)}${expPart(d.exp)}`;
  const digits = d.mant.replace('.', '');
  let out: string;
  if (d.exp < 0) out = `0.${'0'.repeat(-d.exp - 1)}${digits}`;
  else if (digits.length > d.exp + 1) out = `${digits.slice(0, d.exp + 1)}.${digits.slice(d.exp + 1)}`;
  else out = digits + '0'.repeat(d.exp + 1 - digits.length);
  return sign + stripZeros(out);
}

/** `%f` with `prec` digits (6 by default). */
export function formatF(v: number, prec = 6): string {
  return specials(v) ?? v.toFixed(Math.min(prec, 100));
}

/** How a template prints a value (`{{ x }}`, `print`): Go's `%v`. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return formatGoTime(v);
  if (Array.isArray(v)) return `[${v.map(formatValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return `map[${entries.map(([k, x]) => `${k}:${formatValue(x)}`).join(' ')}]`;
  }
  return String(v);
}

/** Go's `time.Time.String()` in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
export function formatGoTime(d: Date): string {
  const iso = d.toISOString(); // 2006-01-02T15:04:05.000Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac === '' ? '' : `.${frac}`} +0000 UTC`;
}

/** Go's `fmt.Sprintf` for the verbs templates use: %s %v %d %f %e %g %q %x %t %%, with width and precision. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let argi = 0;
  return format.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
    (_all, flags: string, width, precText, verb) => {
      if (verb === '%') return '%';
      if (argi >= args.length) return `%!${verb}(MISSING)`;
      const a = args[argi++];
      const prec = precText === undefined ? undefined : Number(precText);
      let s: string;
      switch (verb) {
        case 'd':
          s = typeof a === 'number' && Number.isInteger(a) ? String(a) : `%!d(${typeof a}=${formatValue(a)})`;
          break;
        case 'f':
        case 'F':
          s = typeof a === 'number' ? formatF(a, prec) : `%!f(${typeof a}=${formatValue(a)})`;
          break;
        case 'e':
          s = typeof a === 'number' ? formatE(a, prec ?? 6) : `%!e(${typeof a}=${formatValue(a)})`;
          break;
        case 'g':
          s = typeof a === 'number' ? formatG(a, prec) : `%!g(${typeof a}=${formatValue(a)})`;
          break;
        case 'q':
          s = JSON.stringify(formatValue(a));
          break;
        case 'x':
          s =
            typeof a === 'number' && Number.isInteger(a)
              ? a.toString(16)
              : Buffer.from(formatValue(a)).toString('hex');
          break;
        case 's':
        case 'v':
        case 't':
          s = formatValue(a);
          if (prec !== undefined && verb === 's') s = s.slice(0, prec);
          break;
        default:
          s = `%!${verb}(${formatValue(a)})`;
      }
      if (flags.includes('+') && typeof a === 'number' && a >= 0) s = `+${s}`;
      const w = width === undefined ? 0 : Number(width);
      if (s.length < w) {
        if (flags.includes('-')) s = s.padEnd(w);
        else if (flags.includes('0') && typeof a === 'number') {
          const neg = s.startsWith('-') || s.startsWith('+');
          s = neg ? s[0] + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
        } else s = s.padStart(w);
      }
      return s;
    },
  );
}
