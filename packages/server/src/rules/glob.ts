/**
 * Rule file patterns as Prometheus' `rule_files` (Go's `filepath.Glob`): `*`, `?` and `[…]`
 * within one path segment, no `**`. A pattern without wildcards names a file that must exist; one
 * with wildcards may match nothing.
 */

import { readdirSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

const MAGIC = /[*?[]/;

function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) throw new Error(`syntax error in pattern ${JSON.stringify(seg)}`);
      const body = seg.slice(i + 1, end).replace(/^\^/, '!');
      re += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`.replace(/\\/g, '\\\\');
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The files a list of patterns names, sorted per pattern, without duplicates, in pattern order. */
export function expandGlobs(patterns: readonly string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const pattern of patterns) {
    if (!MAGIC.test(pattern)) {
      out.push(pattern);
      continue;
    }
    const abs = isAbsolute(pattern);
    const segs = pattern.split(/[\\/]+/).filter((s, i) => s !== '' || i === 0);
    let dirs = [abs ? sep : ''];
    if (abs) segs.shift();
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!;
      const next: string[] = [];
      for (const d of dirs) {
        if (!MAGIC.test(seg)) {
          next.push(d === '' ? seg : join(d, seg));
          continue;
        }
        const re = segmentRegExp(seg);
        let names: string[];
        try {
          names = readdirSync(resolve(cwd, d === '' ? '.' : d));
        } catch {
          continue;
        }
        for (const n of names.sort())
          if (re.test(n) && !(n.startsWith('.') && !seg.startsWith('.')))
            next.push(d === '' ? n : join(d, n));
      }
      dirs = next;
    }
    out.push(...dirs);
  }
  return [...new Set(out)];
}
