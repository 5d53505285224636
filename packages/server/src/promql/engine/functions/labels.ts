/** label_replace and label_join (functions.go `funcLabelReplace`, `funcLabelJoin`). */

import { labelsWith, METRIC_NAME } from '../../../model/labels.js';
import { isValidLabelName } from '../../../model/names.js';
import { compileCapturing, expandTemplate, type RegexGroups } from '../../../model/re2.js';
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
      metric: labelsWith(metric, dst, expandTemplate(repl, m)),
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
