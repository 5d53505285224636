/** label_replace and label_join (functions.go `funcLabelReplace`, `funcLabelJoin`). */

import { type Labels, labelsKey, labelsWith, METRIC_NAME } from '../../../model/labels.js';
import { isValidLabelName } from '../../../model/names.js';
import { execError } from '../errors.js';
import type { Vector } from '../types.js';
import type { FunctionDef } from './types.js';

/** RE2 named groups `(?P<n>…)` are `(?<n>…)` in JavaScript. */
function compileAnchored(re: string, func: string): RegExp {
  try {
    return new RegExp(`^(?:${re.replace(/\(\?P</g, '(?<')})$`, 's');
  } catch (err) {
    throw execError(`invalid regular expression in ${func}(): ${re}: ${(err as Error).message}`);
  }
}

/**
 * Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}`, `$$`. As in Go, `$1x` names the
 * group "1x" (the longest run of word characters), which does not exist and expands to "".
 */
function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const next = template[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close < 0 || !/^\w+$/.test(inner)) {
        out += c;
        continue;
      }
      name = inner;
      i = close;
    } else {
      const word = /^\w+/.exec(template.slice(i + 1));
      if (word === null) {
        out += c;
        continue;
      }
      name = word[0];
      i += name.length;
    }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
  }
  return out;
}

function checkUnique(out: Vector): void {
  const seen = new Set<string>();
  for (const s of out) {
    const k = labelsKey(s.metric);
    if (seen.has(k)) throw execError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}

const labelReplace: FunctionDef = {
  name: 'label_replace',
  dropsName: false,
  impl: {
    kind: 'vector',
    fn: (args, _ctx, out) => {
      const [vec, dst, repl, src, reStr] = args as [Vector, string, string, string, string];
      const re = compileAnchored(reStr, 'label_replace');
      if (!isValidLabelName(dst))
        throw execError(`invalid destination label name in label_replace(): ${dst}`);
      for (const s of vec) {
        const srcVal = s.metric.find((l) => l.name === src)?.value ?? '';
        const m = re.exec(srcVal);
        if (m === null) {
          out.push(s);
          continue;
        }
        const metric: Labels = labelsWith(s.metric, dst, expand(repl, m));
        out.push({ metric, f: s.f, t: s.t, dropName: dst === METRIC_NAME ? false : s.dropName });
      }
      checkUnique(out);
    },
  },
};

const labelJoin: FunctionDef = {
  name: 'label_join',
  dropsName: false,
  impl: {
    kind: 'vector',
    fn: (args, _ctx, out) => {
      const [vec, dst, sep, ...srcs] = args as [Vector, string, string, ...string[]];
      if (!isValidLabelName(dst)) throw execError(`invalid destination label name in label_join(): ${dst}`);
      for (const src of srcs) {
        if (!isValidLabelName(src)) throw execError(`invalid source label name in label_join(): ${src}`);
      }
      for (const s of vec) {
        const value = srcs.map((n) => s.metric.find((l) => l.name === n)?.value ?? '').join(sep);
        const metric = labelsWith(s.metric, dst, value);
        out.push({ metric, f: s.f, t: s.t, dropName: dst === METRIC_NAME ? false : s.dropName });
      }
      checkUnique(out);
    },
  },
};

export const LABEL_FUNCTIONS: readonly FunctionDef[] = [labelReplace, labelJoin];
