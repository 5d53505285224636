/**
 * Handing alerts to Alertmanager through its v2 API (`POST /api/v2/alerts`), as Prometheus'
 * notifier does: every batch goes to every Alertmanager; a failed batch is dropped and logged,
 * because the rule manager resends active alerts every minute and Alertmanager deduplicates.
 */

import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import { deliver } from './deliver.js';
import type { Notifier, NotifyAlert } from './types.js';

/** Prometheus' default `--alertmanager.notification-queue-capacity` batch size. */
const MAX_BATCH = 256;

export class AlertmanagerNotifier implements Notifier {
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly urls: readonly string[],
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  send(alerts: readonly NotifyAlert[]): void {
    if (this.stopped) return;
    for (let i = 0; i < alerts.length; i += MAX_BATCH) {
      const batch = alerts.slice(i, i + MAX_BATCH);
      for (const base of this.urls) {
        const url = `${base}/api/v2/alerts`;
        const p = deliver(url, batch, {
          clock: this.clock,
          deadline: this.clock.now(),
          onFailure: (_attempt, reason) =>
            this.log.warn('cannot send alerts to Alertmanager', { url, alerts: batch.length, reason }),
        }).then(() => {});
        this.inflight.add(p);
        void p.finally(() => this.inflight.delete(p));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.inflight);
  }
}
