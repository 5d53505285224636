/**
 * Webhook receivers with Alertmanager's grouping, so that TinyObs notifies without an
 * Alertmanager and an Alertmanager can still be the receiver: alerts are grouped by labels,
 * a new group waits `groupWait` before its first notification, later changes are sent every
 * `groupInterval`, an unchanged group is repeated every `repeatInterval`, and resolved alerts are
 * sent once. The deduplication follows Alertmanager's `DedupStage.needsUpdate`; the payload is
 * Alertmanager's webhook payload (version 4).
 */

import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import { fingerprint } from '../fnv.js';
import { deliver } from './deliver.js';
import type { Notifier, NotifyAlert } from './types.js';

export interface WebhookOptions {
  readonly urls: readonly string[];
  /** Labels that group alerts; `['...']` groups by all labels. */
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly externalURL: () => string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Backoff of retries (default 1s, doubling up to 30s). */
  readonly firstBackoffMs?: number;
}

interface Stored {
  readonly alert: NotifyAlert;
  readonly fp: string;
  readonly endsAt: number;
}

interface AggrGroup {
  readonly key: string;
  readonly labels: Record<string, string>;
  readonly alerts: Map<string, Stored>;
  cancel: (() => void) | null;
}

/** What was last sent for one group to one receiver (Alertmanager's notification log entry). */
interface LogEntry {
  readonly firing: ReadonlySet<string>;
  readonly resolved: ReadonlySet<string>;
  readonly at: number;
}

function groupKeyOf(labels: Record<string, string>): string {
  const inner = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
  return `{}:{${inner}}`;
}

function common(maps: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const out: Record<string, string> = { ...(maps[0] ?? {}) };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}

function isSubset(set: ReadonlySet<string>, sub: ReadonlySet<string>): boolean {
  for (const x of sub) if (!set.has(x)) return false;
  return true;
}

export class WebhookNotifier implements Notifier {
  private readonly groups = new Map<string, AggrGroup>();
  private readonly nflog = new Map<string, LogEntry>();
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: WebhookOptions) {}

  send(alerts: readonly NotifyAlert[]): void {
    if (this.stopped) return;
    for (const alert of alerts) {
      const all = this.opts.groupBy.includes('...');
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(alert.labels))
        if (all || this.opts.groupBy.includes(k)) labels[k] = v;
      const key = groupKeyOf(labels);
      let g = this.groups.get(key);
      if (g === undefined) {
        g = { key, labels, alerts: new Map(), cancel: null };
        this.groups.set(key, g);
        this.schedule(g, this.opts.groupWaitMs);
      }
      const fp = fingerprint(alert.labels);
      g.alerts.set(fp, { alert, fp, endsAt: Date.parse(alert.endsAt) });
    }
  }

  private schedule(g: AggrGroup, ms: number): void {
    g.cancel = this.opts.clock.setTimer(ms, () => {
      const p = this.flush(g).catch((err: unknown) =>
        this.opts.log.error('alert notification failed', { groupKey: g.key, err }),
      );
      this.inflight.add(p);
      return p.finally(() => this.inflight.delete(p));
    });
  }

  private async flush(g: AggrGroup): Promise<void> {
    const start = this.opts.clock.now();
    const snapshot = [...g.alerts.values()].sort((a, b) => (a.fp < b.fp ? -1 : a.fp > b.fp ? 1 : 0));
    const firing = new Set(snapshot.filter((s) => s.endsAt > start).map((s) => s.fp));
    const resolved = new Set(snapshot.filter((s) => s.endsAt <= start).map((s) => s.fp));
    const results = await Promise.all(
      this.opts.urls.map(async (url) => {
        const logKey = `${g.key}\xff${url}`;
        if (!this.needsUpdate(this.nflog.get(logKey), firing, resolved, start)) return true;
        const ok = await deliver(url, this.payload(g, snapshot, firing), {
          clock: this.opts.clock,
          deadline: start + this.opts.groupIntervalMs,
          firstBackoffMs: this.opts.firstBackoffMs,
          onFailure: (attempt, reason, willRetry) =>
            this.opts.log.warn('cannot send alert notification', {
              url,
              groupKey: g.key,
              attempt,
              reason,
              willRetry,
            }),
        });
        if (ok) this.nflog.set(logKey, { firing, resolved, at: this.opts.clock.now() });
        return ok;
      }),
    );
    // As Alertmanager: resolved alerts leave the group once every receiver was told, unless
    // they changed meanwhile.
    if (results.every(Boolean)) {
      for (const s of snapshot) if (resolved.has(s.fp) && g.alerts.get(s.fp) === s) g.alerts.delete(s.fp);
    }
    if (g.alerts.size === 0 || this.stopped) {
      if (this.groups.get(g.key) === g) this.groups.delete(g.key);
      return;
    }
    this.schedule(g, Math.max(0, start + this.opts.groupIntervalMs - this.opts.clock.now()));
  }

  private needsUpdate(
    entry: LogEntry | undefined,
    firing: Set<string>,
    resolved: Set<string>,
    now: number,
  ): boolean {
    if (entry === undefined) return firing.size > 0;
    if (!isSubset(entry.firing, firing)) return true;
    if (firing.size === 0) return entry.firing.size > 0;
    if (!isSubset(entry.resolved, resolved)) return true;
    return entry.at + this.opts.repeatIntervalMs <= now;
  }

  private payload(g: AggrGroup, alerts: readonly Stored[], firing: ReadonlySet<string>) {
    return {
      receiver: 'webhook',
      status: firing.size > 0 ? 'firing' : 'resolved',
      alerts: alerts.map((s) => ({
        status: firing.has(s.fp) ? 'firing' : 'resolved',
        labels: s.alert.labels,
        annotations: s.alert.annotations,
        startsAt: s.alert.startsAt,
        endsAt: s.alert.endsAt,
        generatorURL: s.alert.generatorURL,
        fingerprint: s.fp,
      })),
      groupLabels: g.labels,
      commonLabels: common(alerts.map((s) => s.alert.labels)),
      commonAnnotations: common(alerts.map((s) => s.alert.annotations)),
      externalURL: this.opts.externalURL(),
      version: '4',
      groupKey: g.key,
      truncatedAlerts: 0,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const g of this.groups.values()) g.cancel?.();
    await Promise.all(this.inflight);
  }
}
