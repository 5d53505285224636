/**
 * The one place where rules call the PromQL engine. Everything else in `rules/` evaluates an
 * expression through a {@link QueryFunc}, so a change to the engine's calling convention is a
 * change here only.
 */

import type { Labels } from '../model/labels.js';
import type { Engine } from '../promql/engine/engine.js';
import type { Expr } from '../promql/parser/ast.js';
import type { Queryable } from '../storage/types.js';

/** One sample of an instant vector. */
export interface RuleSample {
  readonly metric: Labels;
  readonly v: number;
}

/** Evaluates an expression at `t` (ms) to an instant vector. */
export type QueryFunc = (expr: Expr, t: number) => Promise<RuleSample[]>;

/** A {@link QueryFunc} over the engine and a store, as Prometheus' `EngineQueryFunc`. */
export function engineQueryFunc(engine: Engine, store: Queryable): QueryFunc {
  return async (expr, t) => {
    const r = await engine.instantQuery(store, expr, t);
    switch (r.value.resultType) {
      case 'vector':
        return r.value.result;
      case 'scalar':
        return [{ metric: [], v: r.value.v }];
      default:
        throw new Error('rule result is not a vector or scalar');
    }
  };
}
