/**
 * An alerting rule and the states of its alerts, ported from Prometheus' `rules/alerting.go`:
 * a new result is pending, firing once it has been active for `for`, kept firing for
 * `keep_firing_for` after it clears, then inactive (resolved) and kept for 15 minutes so that
 * receivers learn it resolved. Each evaluation outputs `ALERTS{alertstate}` = 1 and
 * `ALERTS_FOR_STATE` = the time it became active (seconds), which is what restores `for` state
 * after a restart.
 */

import { type Labels, labelsKey, labelsToRecord, labelsWith, METRIC_NAME } from '../model/labels.js';
import { duplicateError, type EvalContext, limitError, type OutputSample, Rule } from './rule.js';
import { Template, TemplateError } from './template/exec.js';

export type AlertState = 'inactive' | 'pending' | 'firing';

/** One alert of a rule: a label set the expression returned. Times in ms; 0 means never. */
export interface Alert {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  validUntil: number;
  keepFiringSince: number;
  /** The `ALERTS` and `ALERTS_FOR_STATE` label sets, kept while the state stays the same. */
  series?: { readonly state: AlertState; readonly alerts: Labels; readonly forState: Labels };
}

/** How long a resolved alert is still sent to receivers (Prometheus' `resolvedRetention`). */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export const ALERT_METRIC = 'ALERTS';
export const ALERT_FOR_STATE_METRIC = 'ALERTS_FOR_STATE';

export class AlertingRule extends Rule {
  /** Active alerts (pending, firing, or recently resolved) by label-set key. */
  active = new Map<string, Alert>();
  /** False until `for` state was restored after start; no ALERTS series are written before. */
  restored = false;
  private readonly labelTemplates: [string, Template][];
  private readonly annotationTemplates: [string, Template][];

  constructor(spec: EvalContext['group']['rules'][number]) {
    super(spec);
    const t =
      (kind: string) =>
      ([k, v]: [string, string]): [string, Template] => [
        k,
        new Template(`__alert_${spec.name}_${kind}_${k}`, v),
      ];
    this.labelTemplates = Object.entries(spec.labels).map(t('label'));
    this.annotationTemplates = Object.entries(spec.annotations).map(t('annotation'));
  }

  /** The rule's state: the worst of its alerts. */
  get state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }

  async eval(ts: number, ctx: EvalContext): Promise<OutputSample[]> {
    const vector = await ctx.query(this.spec.ast, ts);
    const fresh = new Map<string, Alert>();
    for (const s of vector) {
      const data = {
        labels: labelsToRecord(s.metric.filter((l) => l.name !== METRIC_NAME)),
        value: s.v,
        externalLabels: ctx.externalLabels,
        externalURL: ctx.externalURL,
      };
      const expand = ([k, t]: [string, Template]) => {
        try {
          return { name: k, value: t.expand(data) };
        } catch (err) {
          // As Prometheus: a template that fails to run gives its error text, not a failed rule.
          return {
            name: k,
            value: `<error expanding template: ${err instanceof TemplateError ? err.message : String(err)}>`,
          };
        }
      };
      let labels = labelsWith(s.metric, METRIC_NAME, '');
      for (const l of this.labelTemplates.map(expand)) labels = labelsWith(labels, l.name, l.value);
      labels = labelsWith(labels, 'alertname', this.spec.name);
      const annotations: Record<string, string> = {};
      for (const a of this.annotationTemplates.map(expand)) annotations[a.name] = a.value;
      const key = labelsKey(labels);
      if (fresh.has(key)) throw duplicateError('alert');
      fresh.set(key, {
        labels,
        annotations,
        state: 'pending',
        value: s.v,
        activeAt: ts,
        firedAt: 0,
        resolvedAt: 0,
        lastSentAt: 0,
        validUntil: 0,
        keepFiringSince: 0,
      });
    }
    for (const [key, a] of fresh) {
      const old = this.active.get(key);
      if (old !== undefined && old.state !== 'inactive') {
        old.value = a.value;
        old.annotations = a.annotations;
        continue;
      }
      this.active.set(key, a);
    }
    const out: OutputSample[] = [];
    let activeCount = 0;
    for (const [key, a] of this.active) {
      if (!fresh.has(key)) {
        let keepFiring = false;
        if (this.spec.keepFiringForMs > 0 && a.state === 'firing') {
          if (a.keepFiringSince === 0) a.keepFiringSince = ts;
          keepFiring = ts - a.keepFiringSince < this.spec.keepFiringForMs;
        }
        if (!keepFiring) {
          if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS))
            this.active.delete(key);
          if (a.state !== 'inactive') {
            a.state = 'inactive';
            a.resolvedAt = ts;
          }
          continue;
        }
      } else a.keepFiringSince = 0;
      activeCount++;
      if (a.state === 'pending' && ts - a.activeAt >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      if (this.restored) {
        if (a.series?.state !== a.state) {
          const forState = labelsWith(a.labels, METRIC_NAME, ALERT_FOR_STATE_METRIC);
          const alerts = labelsWith(labelsWith(a.labels, METRIC_NAME, ALERT_METRIC), 'alertstate', a.state);
          a.series = { state: a.state, alerts, forState };
        }
        out.push({ labels: a.series.alerts, v: 1 });
        out.push({ labels: a.series.forState, v: Math.trunc(a.activeAt / 1000) });
      }
    }
    const limit = ctx.group.limit;
    if (limit > 0 && activeCount > limit) {
      this.active.clear();
      throw limitError(limit, activeCount, 'alerts');
    }
    return out;
  }

  /**
   * The alerts to hand to receivers at `ts`, as Prometheus' `sendAlerts`: firing and resolved
   * ones once they change and then every `resendDelayMs`. Marks them sent; returns copies.
   */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const resolvedSinceSent = a.resolvedAt > a.lastSentAt;
      if (!resolvedSinceSent && !(a.lastSentAt + resendDelayMs < ts)) continue;
      a.lastSentAt = ts;
      // Valid for four evaluations or resends, so two failed ones do not resolve it.
      a.validUntil = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }
}
