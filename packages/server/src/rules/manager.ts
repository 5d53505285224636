/**
 * The rule manager: loads rule files into groups, runs them, swaps them on reload (keeping alert
 * state of unchanged rules, keeping the old rules when the new files are bad), restores `for`
 * state after a restart from `ALERTS_FOR_STATE`, and hands alerts to the notifier.
 */

import type { Logger } from '../log.js';
import { labelsEqual, labelsToRecord, METRIC_NAME } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import { isStaleNaN } from '../model/sample.js';
import type { Appendable, Queryable } from '../storage/types.js';
import { ALERT_FOR_STATE_METRIC, type Alert, AlertingRule } from './alerting.js';
import { type Clock, systemClock } from './clock.js';
import { loadRuleFiles } from './file.js';
import { expandGlobs } from './glob.js';
import { Group } from './group.js';
import type { Notifier, NotifyAlert } from './notify/types.js';
import type { QueryFunc } from './query.js';

export interface RuleManagerOptions {
  readonly store: Appendable & Queryable;
  readonly query: QueryFunc;
  readonly log: Logger;
  readonly clock?: Clock;
  /** Interval of groups that set none (Prometheus' `evaluation_interval`, default 1m). */
  readonly defaultIntervalMs?: number;
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Base of alerts' `generatorURL` and `$externalURL` (a function: known once the server listens). */
  readonly externalURL?: () => string;
  readonly notifier?: Notifier | null;
  /** Least time between two sends of an unchanged alert (default 1m). */
  readonly resendDelayMs?: number;
  /** How long an outage may last for `for` state to be restored (default 1h). */
  readonly outageToleranceMs?: number;
  /** Least time a restored alert still waits before firing (default 10m). */
  readonly forGracePeriodMs?: number;
}

/** The outcome of the last load, for the status endpoints. */
export interface ReloadStatus {
  readonly ok: boolean;
  readonly at: number;
  readonly error: string;
}

export class RuleManager {
  private groups = new Map<string, Group>();
  private patterns: readonly string[] = [];
  private started = false;
  private loading: Promise<void> = Promise.resolve();
  readonly clock: Clock;
  status: ReloadStatus = { ok: true, at: 0, error: '' };

  constructor(private readonly opts: RuleManagerOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Loads the rule files the patterns name and starts their groups. Throws a `RuleFileError`
   * (naming file, line, group and rule) and keeps the running rules when any file is bad.
   */
  load(patterns: readonly string[]): Promise<void> {
    const run = this.loading.then(() => this.swap(patterns));
    this.loading = run.catch(() => {});
    return run;
  }

  /** Loads the same patterns again (SIGHUP, `POST /-/reload`). */
  reload(): Promise<void> {
    return this.load(this.patterns);
  }

  private async swap(patterns: readonly string[]): Promise<void> {
    const at = this.clock.now();
    let specs: ReturnType<typeof loadRuleFiles>;
    try {
      specs = loadRuleFiles(expandGlobs(patterns));
    } catch (err) {
      this.status = { ok: false, at, error: (err as Error).message };
      throw err;
    }
    const restore = !this.started;
    const next = new Map<string, Group>();
    for (const spec of specs) {
      const g = new Group(spec, this.opts.defaultIntervalMs ?? 60_000, {
        store: this.opts.store,
        clock: this.clock,
        ctx: {
          query: this.opts.query,
          externalLabels: this.opts.externalLabels ?? {},
          externalURL: this.opts.externalURL?.() ?? '',
        },
        afterEval: (group, ts) => this.sendAlerts(group, ts),
        restore: (group, ts) => this.restoreForState(group, ts),
        warn: (msg, fields) => this.opts.log.warn(msg, fields),
      });
      next.set(g.key, g);
    }
    for (const old of this.groups.values()) await old.stop();
    for (const [key, old] of this.groups) {
      const g = next.get(key);
      if (g !== undefined) g.copyState(old);
      else await old.markStale(this.clock.now());
    }
    for (const g of next.values()) {
      if (!restore) for (const r of g.rules) if (r instanceof AlertingRule && !r.restored) r.restored = true;
      g.start(restore);
    }
    this.groups = next;
    this.patterns = patterns;
    this.started = true;
    this.status = { ok: true, at, error: '' };
    this.opts.log.info('rules loaded', {
      groups: next.size,
      rules: specs.reduce((n, s) => n + s.rules.length, 0),
    });
  }

  /** The groups, sorted by file and name as Prometheus lists them. */
  list(): Group[] {
    return [...this.groups.values()].sort((a, b) =>
      a.spec.file !== b.spec.file ? (a.spec.file < b.spec.file ? -1 : 1) : a.spec.name < b.spec.name ? -1 : 1,
    );
  }

  /** Pending and firing alerts of every alerting rule. */
  activeAlerts(): { rule: AlertingRule; alert: Alert }[] {
    const out: { rule: AlertingRule; alert: Alert }[] = [];
    for (const g of this.list())
      for (const r of g.rules)
        if (r instanceof AlertingRule)
          for (const a of r.active.values()) if (a.state !== 'inactive') out.push({ rule: r, alert: a });
    return out;
  }

  async stop(): Promise<void> {
    await this.loading;
    for (const g of this.groups.values()) await g.stop();
    await this.opts.notifier?.stop();
  }

  private sendAlerts(group: Group, ts: number): void {
    const notifier = this.opts.notifier;
    if (!notifier) return;
    const out: NotifyAlert[] = [];
    const ext = this.opts.externalLabels ?? {};
    for (const r of group.rules) {
      if (!(r instanceof AlertingRule)) continue;
      const url = `${this.opts.externalURL?.() ?? ''}/graph?g0.expr=${encodeURIComponent(r.spec.expr)}&g0.tab=1`;
      for (const a of r.alertsToSend(ts, this.opts.resendDelayMs ?? 60_000, group.intervalMs)) {
        out.push({
          labels: { ...ext, ...labelsToRecord(a.labels) },
          annotations: a.annotations,
          startsAt: new Date(a.firedAt || a.activeAt).toISOString(),
          endsAt: new Date(a.resolvedAt !== 0 ? a.resolvedAt : a.validUntil).toISOString(),
          generatorURL: url,
        });
      }
    }
    if (out.length > 0) notifier.send(out);
  }

  /** Restores when pending alerts became active, as Prometheus' `RestoreForState`. */
  private async restoreForState(group: Group, ts: number): Promise<void> {
    const tolerance = this.opts.outageToleranceMs ?? 3_600_000;
    const grace = this.opts.forGracePeriodMs ?? 600_000;
    const q = this.opts.store.querier(ts - tolerance, ts);
    try {
      for (const rule of group.rules) {
        if (!(rule instanceof AlertingRule)) continue;
        // A `for` shorter than the grace period would only get longer by restoring it.
        if (rule.spec.forMs < grace) {
          rule.restored = true;
          continue;
        }
        for (const a of rule.active.values()) {
          const matchers = [
            newMatcher('=', METRIC_NAME, ALERT_FOR_STATE_METRIC),
            ...a.labels.map((l) => newMatcher('=', l.name, l.value)),
          ];
          const set = q.select(matchers);
          let last: { t: number; v: number } | null = null;
          while (set.next()) {
            const s = set.at();
            if (
              !labelsEqual(
                s.labels.filter((l) => l.name !== METRIC_NAME),
                a.labels,
              )
            )
              continue;
            const it = s.iterator();
            while (it.next()) last = { t: it.t(), v: it.v() };
          }
          if (last === null || isStaleNaN(last.v)) continue;
          const downAt = Math.trunc(last.t / 1000) * 1000;
          let activeAt = last.v * 1000;
          const remaining = rule.spec.forMs - (downAt - activeAt);
          if (remaining <= 0) {
            // It was firing when the server stopped; the next evaluation fires it again.
          } else if (remaining < grace) activeAt = ts + grace - rule.spec.forMs;
          else activeAt += ts - downAt;
          a.activeAt = activeAt;
          this.opts.log.info('restored alert for state', {
            alertname: rule.name,
            activeAt: new Date(activeAt).toISOString(),
          });
        }
        rule.restored = true;
      }
    } finally {
      q.close();
    }
  }
}
