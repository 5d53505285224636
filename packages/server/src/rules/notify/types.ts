/** The contract between alerting rules and whatever delivers their alerts. */

/** An alert as receivers see it: Alertmanager's `postableAlert` (times as RFC 3339). */
export interface NotifyAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
}

/**
 * Receives the alerts of each evaluation that need sending (firing ones, and resolved ones with
 * `endsAt` in the past). Must not throw or block: delivery happens in the background.
 */
export interface Notifier {
  send(alerts: readonly NotifyAlert[]): void;
  /** Stops timers and waits for deliveries in progress. */
  stop(): Promise<void>;
}

/** Several notifiers as one. */
export function fanOut(list: readonly Notifier[]): Notifier {
  return {
    send: (alerts) => {
      for (const n of list) n.send(alerts);
    },
    stop: async () => {
      await Promise.all(list.map((n) => n.stop()));
    },
  };
}
