/** label_replace and label_join (functions.go `funcLabelReplace`, `funcLabelJoin`). */

import { labelsWith, METRIC_NAME } from '../../../model/labels.js';
import { isValidLabelName } from '../../../model/names.js';
import { compileCapturing, type RegexGroups } from '../../../model/re2.js';
import { execError } from '../errors.js';
import type { Vector } from '../types.js';
import type { FunctionDef, Relabel, VectorFn } from './types.js';

/** The fully anchored RE2 pattern, with Prometheus' error text (which omits RE2's reason). */
function compileAnchored(re: string, func: string): (s: string) => RegexGroups | null {
  try {
    return compileCapturing(re);
  } catch {
    throw execError(`invalid regular expression in ${func}(): ${re}`);
  }
}

/**
 * Go's Regexp.ExpandString: `$1`, `${1}`, `$name`, `${name}`, `$$`. As in Go, `$1x` names the
 * group "1x" (the longest run of word characters), which does not exist and expands to "".
 */
function expand(template: string, m: RegexGroups): string {
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

/**
 * label_replace's relabelling, compiled once from its string arguments: the regexp is fully
 * anchored and the destination label set only when it matches.
 */
function replaceRelabel(args: readonly string[]): Relabel {
  const [dst, repl, src, reStr] = args as [string, string, string, string];
  const re = compileAnchored(reStr, 'label_replace');
  if (!isValidLabelName(dst)) throw execError(`invalid destination label name in label_replace(): ${dst}`);
  return (metric, dropName) => {
    const m = re(metric.find((l) => l.name === src)?.value ?? '');
    if (m === null) return { metric, dropName };
    // Writing __name__ gives the series a name again, so it is no longer to be dropped.
    return {
      metric: labelsWith(metric, dst, expand(repl, m)),
      dropName: dst === METRIC_NAME ? false : dropName,
    };
  };
}

function joinRelabel(args: readonly string[]): Relabel {
  const [dst, sep, ...srcs] = args as [string, string, ...string[]];
  if (!isValidLabelName(dst)) throw execError(`invalid destination label name in label_join(): ${dst}`);
  for (const src of srcs) {
    if (!isValidLabelName(src)) throw execError(`invalid source label name in label_join(): ${src}`);
  }
  return (metric, dropName) => {
    const value = srcs.map((n) => metric.find((l) => l.name === n)?.value ?? '').join(sep);
    return { metric: labelsWith(metric, dst, value), dropName: dst === METRIC_NAME ? false : dropName };
  };
}

/** The step-wise form of a relabelling function (the evaluator prefers the series-wise one). */
function stepwise(make: (args: readonly string[]) => Relabel): VectorFn {
  return (args, _ctx, out) => {
    const relabel = make(args.slice(1) as string[]);
    for (const s of args[0] as Vector) {
      const r = relabel(s.metric, s.dropName);
      out.push({ metric: r.metric, f: s.f, t: s.t, dropName: r.dropName });
    }
  };
}

const labelReplace: FunctionDef = {
  name: 'label_replace',
  dropsName: false,
  impl: { kind: 'vector', fn: stepwise(replaceRelabel), relabel: replaceRelabel },
};

const labelJoin: FunctionDef = {
  name: 'label_join',
  dropsName: false,
  impl: { kind: 'vector', fn: stepwise(joinRelabel), relabel: joinRelabel },
};

export const LABEL_FUNCTIONS: readonly FunctionDef[] = [labelReplace, labelJoin];
