/**
 * The PromQL abstract syntax tree: immutable nodes with source positions.
 *
 * This file is the contract between the parser and the engine. Every consumer switches over
 * `Expr['kind']` exhaustively (with a `never` check), so adding a node kind fails to compile until
 * every visitor handles it.
 */

import type { Matcher } from '../../model/matcher.js';

/** Half-open byte range [start, end) in the query text. */
export interface PosRange {
  readonly start: number;
  readonly end: number;
}

/** The type of an expression's result, as Prometheus names them in errors. */
export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | SubqueryExpr
  | ParenExpr
  | UnaryExpr
  | BinaryExpr
  | AggregateExpr
  | Call
  | StepInvariantExpr;

export interface NumberLiteral {
  readonly kind: 'NumberLiteral';
  /** The value; a duration literal (`5m`) is in seconds, as Prometheus 3 reads it in number position. */
  readonly val: number;
  readonly pos: PosRange;
  /** True when written as a duration (`5m`), so that the printer writes it back as one. */
  readonly duration?: boolean;
}

export interface StringLiteral {
  readonly kind: 'StringLiteral';
  readonly val: string;
  readonly pos: PosRange;
}

/** `@` modifier: a fixed timestamp, or the query's `start()`/`end()`. */
export type AtModifier =
  | { readonly kind: 'timestamp'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' };

export interface VectorSelector {
  readonly kind: 'VectorSelector';
  /** The metric name written before the braces, or '' (then a `__name__` matcher may exist). */
  readonly name: string;
  /** All matchers, including the `__name__="name"` one implied by `name`. */
  readonly matchers: readonly Matcher[];
  /** `offset` in ms (negative allowed); 0 when absent. */
  readonly offset: number;
  readonly at: AtModifier | null;
  readonly pos: PosRange;
  /**
   * The offset written as a duration expression (`offset step()`, `offset (1m + 2s)`), kept for
   * printing. When it calls `step()` or `range()`, `offset` is 0 and the engine resolves it with
   * `evalDurationExpr`; otherwise `offset` already holds its value.
   */
  readonly offsetExpr?: Expr;
  /** Experimental `anchored` modifier (on this selector or on the range selector around it). */
  readonly anchored?: boolean;
  /** Experimental `smoothed` modifier (on this selector or on the range selector around it). */
  readonly smoothed?: boolean;
}

export interface MatrixSelector {
  readonly kind: 'MatrixSelector';
  /** The selector inside the brackets; it carries the `offset`, `@`, `anchored` and `smoothed` modifiers. */
  readonly vector: VectorSelector;
  /** Range in ms. */
  readonly range: number;
  readonly pos: PosRange;
  /** The range as a duration expression (`[5m + step()]`); same rules as `VectorSelector.offsetExpr`. */
  readonly rangeExpr?: Expr;
}

export interface SubqueryExpr {
  readonly kind: 'SubqueryExpr';
  readonly expr: Expr;
  /** Range and step in ms; step 0 means the engine's default evaluation interval. */
  readonly range: number;
  readonly step: number;
  readonly offset: number;
  readonly at: AtModifier | null;
  readonly pos: PosRange;
  /** Duration expressions for range, step and offset; same rules as `VectorSelector.offsetExpr`. */
  readonly rangeExpr?: Expr;
  readonly stepExpr?: Expr;
  readonly offsetExpr?: Expr;
}

export interface ParenExpr {
  readonly kind: 'ParenExpr';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export interface UnaryExpr {
  readonly kind: 'UnaryExpr';
  readonly op: '-' | '+';
  readonly expr: Expr;
  readonly pos: PosRange;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
/**
 * Native-histogram trim operators (Prometheus 3.x, experimental): `h </ x` keeps the part of each
 * histogram below x, `h >/ x` the part above. They bind like `*`.
 */
export type TrimOp = '</' | '>/';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

export type VectorMatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

/** How the two sides of a vector/vector operation are matched. */
export interface VectorMatching {
  readonly card: VectorMatchCardinality;
  /** Labels listed in `on(...)` (when `on` is true) or `ignoring(...)` (when false). */
  readonly matchingLabels: readonly string[];
  /** True for `on(...)`, false for `ignoring(...)` or no clause. */
  readonly on: boolean;
  /** Extra labels listed in `group_left(...)`/`group_right(...)`. */
  readonly include: readonly string[];
  /**
   * Experimental `fill(v)`/`fill_left(v)`/`fill_right(v)`: the value that stands in for a missing
   * series on the left/right side. Absent (undefined) when not written.
   */
  readonly fillLeft?: number;
  readonly fillRight?: number;
}

export interface BinaryExpr {
  readonly kind: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** Null when at least one side is a scalar. */
  readonly matching: VectorMatching | null;
  /** The `bool` modifier on a comparison. */
  readonly returnBool: boolean;
  readonly pos: PosRange;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'min'
  | 'max'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile'
  | 'count_values'
  | 'limitk'
  | 'limit_ratio';

export interface AggregateExpr {
  readonly kind: 'AggregateExpr';
  readonly op: AggregateOp;
  readonly expr: Expr;
  /** The parameter of topk/bottomk/quantile/count_values/limitk/limit_ratio, else null. */
  readonly param: Expr | null;
  /** Labels of `by(...)` or `without(...)`. */
  readonly grouping: readonly string[];
  /** True for `without`. */
  readonly without: boolean;
  readonly pos: PosRange;
}

export interface Call {
  readonly kind: 'Call';
  /** The function name as written (`rate`, `histogram_quantile`, …). */
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PosRange;
}

/**
 * Wraps a subtree whose value does not depend on the evaluation step (e.g. it uses `@`), so the
 * engine may evaluate it once. Never written by users, and `parseExpr` does not produce it either
 * (the engine handles `@` itself); kept for an engine-side preprocessing step.
 */
export interface StepInvariantExpr {
  readonly kind: 'StepInvariantExpr';
  readonly expr: Expr;
  readonly pos: PosRange;
}

/** Exhaustiveness guard for `switch (expr.kind)`. */
export function assertNever(x: never): never {
  throw new Error(`unexpected node ${JSON.stringify(x)}`);
}
