/** A recording rule: evaluates its expression and names the result, as Prometheus' `RecordingRule`. */

import { labelsKey, labelsWith, METRIC_NAME } from '../model/labels.js';
import { duplicateError, type EvalContext, limitError, type OutputSample, Rule } from './rule.js';

export class RecordingRule extends Rule {
  async eval(ts: number, ctx: EvalContext): Promise<OutputSample[]> {
    const vector = await ctx.query(this.spec.ast, ts);
    const extra = Object.entries(this.spec.labels);
    const out: OutputSample[] = [];
    const seen = new Set<string>();
    for (const s of vector) {
      let labels = labelsWith(s.metric, METRIC_NAME, this.spec.name);
      for (const [name, value] of extra) labels = labelsWith(labels, name, value);
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
