/**
 * What every rule shares: its spec, its health and the timing of its last evaluation, which
 * `/api/v1/rules` and the dashboard show.
 */

import type { Labels } from '../model/labels.js';
import type { GroupSpec, RuleSpec } from './file.js';
import type { QueryFunc } from './query.js';

export type RuleHealth = 'unknown' | 'ok' | 'err';

/** A series a rule produced at one evaluation. */
export interface OutputSample {
  readonly labels: Labels;
  readonly v: number;
}

/** What a rule needs from its group to evaluate. */
export interface EvalContext {
  readonly query: QueryFunc;
  readonly group: GroupSpec;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
}

export abstract class Rule {
  health: RuleHealth = 'unknown';
  lastError = '';
  /** Evaluation timestamp of the last evaluation (ms), 0 before the first. */
  lastEvaluation = 0;
  /** How long the last evaluation took, in seconds. */
  evaluationSeconds = 0;

  constructor(readonly spec: RuleSpec) {}

  get name(): string {
    return this.spec.name;
  }

  /** Evaluates the rule at `ts`; throws when the query fails or a limit is exceeded. */
  abstract eval(ts: number, ctx: EvalContext): Promise<OutputSample[]>;
}

/** Prometheus' check after relabelling: two output series with one label set. */
export function duplicateError(kind: 'rule' | 'alert'): Error {
  return new Error(`vector contains metrics with the same labelset after applying ${kind} labels`);
}

/** Prometheus' rule limit error. */
export function limitError(limit: number, n: number, what: 'series' | 'alerts'): Error {
  return new Error(`exceeded limit of ${limit} with ${n} ${what}`);
}
