/** A recording rule: evaluates its expression and names the result, as Prometheus' `RecordingRule`. */

import { labelsFromPairs, labelsKey, METRIC_NAME } from '../model/labels.js';
import { duplicateError, type EvalContext, limitError, type OutputSample, Rule } from './rule.js';

export class RecordingRule extends Rule {
  async eval(ts: number, ctx: EvalContext): Promise<OutputSample[]> {
    const vector = await ctx.query(this.spec.ast, ts);
    const extra = Object.entries(this.spec.labels).map(([name, value]) => ({ name, value }));
    const out: OutputSample[] = [];
    const seen = new Set<string>();
    for (const s of vector) {
      const labels = labelsFromPairs([
        ...s.metric.filter((l) => l.name !== METRIC_NAME),
        ...extra,
        { name: METRIC_NAME, value: this.spec.name },
      ]);
      const key = labelsKey(labels);
      if (seen.has(key)) throw duplicateError('rule');
      seen.add(key);
      out.push({ labels, v: s.v });
    }
    const limit = ctx.group.limit;
    if (limit > 0 && out.length > limit) throw limitError(limit, out.length, 'series');
    return out;
  }
}
