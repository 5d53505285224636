/**
 * Bounds on a query's shape, checked after parsing and before anything recursive runs on it
 * (evaluation, printing, the AST's JSON): the evaluator and the printers recurse once per level,
 * so a deep enough query would exhaust the JavaScript stack; and the pretty printer indents each
 * level, so its output grows with the square of the nesting.
 */

import type { Expr } from '../parser/ast.js';
import { PromQLError } from './errors.js';

/** Most levels of nesting a query may have (real queries stay under a few dozen). */
export const MAX_NESTING = 256;

/** Largest `format_query` output, in characters. */
export const MAX_FORMATTED_CHARS = 1 << 20;

/** The direct subexpressions of a node (any field holding a node, or an array of them). */
function children(node: object): object[] {
  const out: object[] = [];
  for (const v of Object.values(node)) {
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  return out;
}

function isNode(v: unknown): v is object {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** Depth of the tree and the sum of every node's depth (what indentation costs), walked without recursion. */
export function measure(expr: Expr): { depth: number; depthSum: number } {
  let depth = 0;
  let depthSum = 0;
  const stack: [object, number][] = [[expr, 1]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    if (d > depth) depth = d;
    depthSum += d;
    for (const c of children(node)) stack.push([c, d + 1]);
  }
  return { depth, depthSum };
}

/** Throws `bad_data` when `expr` nests deeper than {@link MAX_NESTING}. */
export function checkNesting(expr: Expr): void {
  const { depth } = measure(expr);
  if (depth > MAX_NESTING) {
    throw new PromQLError(
      'bad_data',
      `cannot evaluate query: it nests ${depth} levels deep, more than the ${MAX_NESTING} allowed`,
    );
  }
}

/**
 * Throws `bad_data` when the pretty-printed form of `expr` (parsed from `query`) could exceed
 * {@link MAX_FORMATTED_CHARS}: every node may start a line indented two spaces per level.
 */
export function checkFormattedSize(expr: Expr, query: string): void {
  const bound = query.length + 3 * measure(expr).depthSum;
  if (bound > MAX_FORMATTED_CHARS) {
    throw new PromQLError(
      'bad_data',
      `cannot format query: its indented form could reach ${bound} characters, more than the ${MAX_FORMATTED_CHARS} allowed`,
    );
  }
}
