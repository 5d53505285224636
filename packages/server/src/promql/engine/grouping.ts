/** The `by`/`without` rule shared by every aggregation path. */

import { type Labels, METRIC_NAME } from '../../model/labels.js';
import type { AggregateExpr } from '../parser/ast.js';

/**
 * The label set a series is grouped under (and the output labels of value aggregations):
 * `without` drops the listed labels and the metric name; `by` keeps only the listed labels. A
 * name only marked for removal still counts (engine.go `generateGroupingLabels`): `by (__name__)`
 * keeps such metrics apart, and the group inherits the mark (see the aggregations).
 */
export function groupingLabels(metric: Labels, e: AggregateExpr, names: ReadonlySet<string>): Labels {
  if (e.without) return metric.filter((l) => l.name !== METRIC_NAME && !names.has(l.name));
  return metric.filter((l) => names.has(l.name));
}
