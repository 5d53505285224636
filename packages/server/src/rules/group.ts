/**
 * A rule group: its rules evaluated in order at one timestamp every interval, their output
 * appended to storage, series that disappeared since the last evaluation ended with a staleness
 * marker, as Prometheus' `rules/group.go`. Evaluation times are aligned as Prometheus aligns
 * them: multiples of the interval shifted by an offset derived from a hash of the group's file
 * and name, so that groups spread over the interval and a restart keeps the same phase.
 */

import { type Labels, labelsKey } from '../model/labels.js';
import { STALE_NAN } from '../model/sample.js';
import type { Appendable } from '../storage/types.js';
import { AlertingRule } from './alerting.js';
import type { Clock } from './clock.js';
import type { GroupSpec } from './file.js';
import { fnv1a64 } from './fnv.js';
import { RecordingRule } from './recording.js';
import type { EvalContext, Rule } from './rule.js';

/** What a group needs from its manager. */
export interface GroupDeps {
  readonly store: Appendable;
  readonly clock: Clock;
  readonly ctx: Omit<EvalContext, 'group'>;
  /** Called after each evaluation (notifications). */
  readonly afterEval: (group: Group, ts: number) => void;
  /** Called once, after the second evaluation of a group started with restore. */
  readonly restore: (group: Group, ts: number) => Promise<void>;
  readonly warn: (msg: string, fields: Record<string, unknown>) => void;
}

/** A hash of the group's identity (Prometheus hashes the labels {file, name}): its phase in the interval. */
function groupHash(file: string, name: string): bigint {
  return fnv1a64(Buffer.from(`file\xff${file}\xffname\xff${name}\xff`));
}

interface Written {
  readonly labels: Labels;
  readonly ref: number;
}

export class Group {
  readonly rules: Rule[];
  readonly intervalMs: number;
  /** Evaluation timestamp of the last evaluation (ms), 0 before the first. */
  lastEvaluation = 0;
  evaluationSeconds = 0;
  /** Series each rule wrote at its last evaluation (with their refs), by rule index, for staleness markers. */
  private previous: Map<string, Written>[];
  /** Series of rules removed by a reload, to mark stale at the next evaluation. */
  private staleSeries: Labels[] = [];
  private cancel: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private evaluations = 0;
  private shouldRestore = false;

  constructor(
    readonly spec: GroupSpec,
    defaultIntervalMs: number,
    private readonly deps: GroupDeps,
  ) {
    this.intervalMs = spec.intervalMs ?? defaultIntervalMs;
    this.rules = spec.rules.map((r) => (r.kind === 'record' ? new RecordingRule(r) : new AlertingRule(r)));
    this.previous = this.rules.map(() => new Map());
  }

  get key(): string {
    return `${this.spec.file}\xff${this.spec.name}`;
  }

  /** The evaluation timestamp at or before `t` (ms), as Prometheus' `Group.EvalTimestamp`. */
  evalTimestamp(t: number): number {
    const offset = Number(groupHash(this.spec.file, this.spec.name) % BigInt(this.intervalMs));
    const adj = t - offset;
    return adj - (((adj % this.intervalMs) + this.intervalMs) % this.intervalMs) + offset;
  }

  /** Starts evaluating on the clock; with `restore`, `for` state is restored after the second evaluation. */
  start(restore: boolean): void {
    this.shouldRestore = restore;
    const first = this.evalTimestamp(this.deps.clock.now()) + this.intervalMs;
    this.schedule(first);
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.cancel = this.deps.clock.setTimer(at - this.deps.clock.now(), () => {
      this.running = this.tick(at);
      return this.running;
    });
  }

  private async tick(at: number): Promise<void> {
    if (this.stopped) return;
    // Evaluations that were missed (a slow evaluation, a suspended machine) are skipped.
    const missed = Math.max(0, Math.floor((this.deps.clock.now() - at) / this.intervalMs));
    const ts = at + missed * this.intervalMs;
    try {
      await this.eval(ts);
      this.deps.afterEval(this, ts);
      this.evaluations++;
      if (this.shouldRestore && this.evaluations === 2) {
        this.shouldRestore = false;
        await this.deps.restore(this, this.deps.clock.now());
      }
    } catch (err) {
      // Rule errors are kept on the rules; this is storage failing (e.g. closed at shutdown).
      this.deps.warn('rule group evaluation failed', { group: this.spec.name, err: (err as Error).message });
    }
    this.schedule(ts + this.intervalMs);
  }

  /** Stops the schedule and waits for an evaluation in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel?.();
    await this.running;
  }

  /** Evaluates every rule at `ts` and appends the output; errors are kept on the rule. */
  async eval(ts: number): Promise<void> {
    const begin = performance.now();
    const ctx: EvalContext = { ...this.deps.ctx, group: this.spec };
    // With `query_offset`, rules see (and their output is stamped with) a time that far back,
    // as Prometheus does, so late-arriving data is complete when a rule reads it.
    const qts = ts - this.spec.queryOffsetMs;
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const t0 = performance.now();
      rule.lastEvaluation = ts;
      try {
        const out = await rule.eval(qts, ctx);
        const seen = new Map<string, Written>();
        const prev = this.previous[i]!;
        const app = this.deps.store.appender();
        for (const s of out) {
          const key = labelsKey(s.labels);
          // The ref from the last evaluation skips the storage's label lookup.
          const ref = app.append(prev.get(key)?.ref ?? 0, s.labels, qts, s.v);
          seen.set(key, { labels: s.labels, ref });
        }
        for (const [key, w] of prev) if (!seen.has(key)) app.append(w.ref, w.labels, qts, STALE_NAN);
        const res = await app.commit();
        const rejected = Object.entries(res.rejected).filter(([, n]) => n);
        if (rejected.length > 0)
          this.deps.warn('rule output not stored', {
            group: this.spec.name,
            rule: rule.name,
            rejected: Object.fromEntries(rejected),
          });
        this.previous[i] = seen;
        rule.health = 'ok';
        rule.lastError = '';
      } catch (err) {
        rule.health = 'err';
        rule.lastError = err instanceof Error ? err.message : String(err);
        this.deps.warn('rule evaluation failed', {
          group: this.spec.name,
          rule: rule.name,
          err: rule.lastError,
        });
      }
      rule.evaluationSeconds = (performance.now() - t0) / 1000;
    }
    if (this.staleSeries.length > 0) {
      const app = this.deps.store.appender();
      for (const labels of this.staleSeries) app.append(0, labels, qts, STALE_NAN);
      this.staleSeries = [];
      await app.commit();
    }
    this.lastEvaluation = ts;
    this.evaluationSeconds = (performance.now() - begin) / 1000;
  }

  /** Marks every series this group wrote as stale (the group was removed). */
  async markStale(ts: number): Promise<void> {
    const app = this.deps.store.appender();
    for (const prev of this.previous)
      for (const w of prev.values()) app.append(w.ref, w.labels, ts, STALE_NAN);
    await app.commit();
  }

  /**
   * Takes over the state of the group this one replaces on reload (Prometheus' `CopyState`):
   * timings, the series to mark stale, and the active alerts of rules with the same name and labels.
   */
  copyState(from: Group): void {
    this.lastEvaluation = from.lastEvaluation;
    this.evaluationSeconds = from.evaluationSeconds;
    this.evaluations = from.evaluations;
    const byIdentity = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const id = ruleIdentity(r);
      byIdentity.set(id, [...(byIdentity.get(id) ?? []), i]);
    });
    this.rules.forEach((r, i) => {
      const j = byIdentity.get(ruleIdentity(r))?.shift();
      if (j === undefined) return;
      const old = from.rules[j]!;
      this.previous[i] = from.previous[j]!;
      r.health = old.health;
      r.lastError = old.lastError;
      r.lastEvaluation = old.lastEvaluation;
      r.evaluationSeconds = old.evaluationSeconds;
      if (r instanceof AlertingRule && old instanceof AlertingRule) {
        r.active = old.active;
        r.restored = old.restored;
      }
    });
    // Rules left unmatched are gone: their series get staleness markers at the next evaluation.
    for (const left of byIdentity.values())
      for (const j of left) for (const w of from.previous[j]!.values()) this.staleSeries.push(w.labels);
  }
}

function ruleIdentity(r: Rule): string {
  return `${r.spec.kind}\xff${r.name}\xff${JSON.stringify(Object.entries(r.spec.labels).sort())}`;
}
