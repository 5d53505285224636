/**
 * Time for the rules stage: evaluation ticks, group waits and retry backoff all go through a
 * {@link Clock}, so tests drive hours of alerting in milliseconds with a {@link ManualClock}.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` after `ms`; returns a function that cancels it. The timer never keeps the process alive. */
  setTimer(ms: number, fn: () => unknown): () => void;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return () => clearTimeout(t);
  },
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, Math.max(0, ms)).unref();
    }),
};

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => unknown;
  /** A sleep's wake-up: runs inline, not as a task. */
  readonly wake: boolean;
}

/**
 * A clock that moves only when told. {@link advance} fires due timers in time order and waits
 * until every callback it started has finished or is asleep on this clock (callbacks may do real
 * I/O, such as an HTTP delivery, in between).
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private tasks = 0;
  private sleepers = 0;

  constructor(startMs: number) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => unknown): () => void {
    const timer: Timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, wake: false };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers++;
      this.timers.push({
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        wake: true,
        fn: () => {
          this.sleepers--;
          resolve();
        },
      });
    });
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await this.quiet();
      let next: Timer | undefined;
      for (const x of this.timers) {
        if (x.at <= end && (next === undefined || x.at < next.at || (x.at === next.at && x.seq < next.seq)))
          next = x;
      }
      if (next === undefined) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      if (next.wake) next.fn();
      else {
        this.tasks++;
        const fn = next.fn;
        void Promise.resolve()
          .then(fn)
          .catch(() => {})
          .finally(() => this.tasks--);
      }
    }
    this.t = end;
    await this.quiet();
  }

  /** Waits until every running callback is finished or asleep on this clock. */
  private async quiet(): Promise<void> {
    for (let spins = 0; ; spins++) {
      await new Promise((r) => setImmediate(r));
      if (this.tasks <= this.sleepers) return;
      if (spins > 10) await new Promise((r) => setTimeout(r, 2));
    }
  }
}
