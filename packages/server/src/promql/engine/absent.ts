/** Helpers shared by the evaluator and the function tables: unwrapping and absent()'s labels. */

import type { Labels } from '../../model/labels.js';
import type { Matcher } from '../../model/matcher.js';
import type { Expr } from '../parser/ast.js';

/** Strips wrappers that do not change a value (parentheses, step-invariance markers). */
export function unwrap(e: Expr): Expr {
  while (e.kind === 'ParenExpr' || e.kind === 'StepInvariantExpr') e = e.expr;
  return e;
}

/** The labels `absent()`/`absent_over_time()` give their output: the selector's `=` matchers. */
export function absentLabels(arg: Expr): Labels {
  const e = unwrap(arg);
  let matchers: readonly Matcher[];
  if (e.kind === 'VectorSelector') matchers = e.matchers;
  else if (e.kind === 'MatrixSelector') matchers = e.vector.matchers;
  else return [];
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    // A label matched twice, or by anything but `=`, is left out (Prometheus'
    // createLabelsForAbsentFunction keeps this historic behaviour).
    if (m.type === '=' && !seen.has(m.name)) out.set(m.name, m.value);
    else out.delete(m.name);
    seen.add(m.name);
  }
  return [...out]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
