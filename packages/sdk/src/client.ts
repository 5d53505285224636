import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Counter, type CounterOptions } from './counter.js';
import { Diagnostics, type DropReason } from './diagnostics.js';
import { encodeBatches } from './encode.js';
import { TinyObsError } from './errors.js';
import { Gauge, type GaugeOptions } from './gauge.js';
import { Histogram, type HistogramOptions } from './histogram.js';
import type { InstrumentContext, Registered } from './instrument.js';
import { type ResolvedOptions, resolveOptions, type TinyObsOptions } from './options.js';
import { type Batch, PushQueue, type Tracked } from './queue.js';
import { OVERFLOW_LABEL } from './series-map.js';
import { httpSender, type Sender } from './transport.js';
import type { FlushResult, MetricPoint } from './types.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const SDK_VERSION = '0.1.0';

/** Snapshot of a client's internal state. */
export interface TinyObsStats {
  /** Batches waiting to be sent or in flight. */
  queuedBatches: number;
  /** Their compressed size in bytes. */
  queuedBytes: number;
  /** Values and points dropped since creation, by reason. */
  dropped: Partial<Record<DropReason, number>>;
  /** Record calls that lacked one of their instrument's label names (recorded without it). */
  missingLabels: number;
}

/** Options of `flush()` and `shutdown()`. */
export interface FlushOptions {
  /** Overrides the client's `flushTimeoutMs`. */
  timeoutMs?: number;
}

/** A function run before each collection; see {@link TinyObs.addCollectHook}. */
export type CollectHook = () => void | Promise<void>;

/**
 * One TinyObs client: a registry of instruments, a push timer and a send queue. There is no
 * hidden global; create one per process (or per service) with {@link createTinyObs}.
 */
export class TinyObs {
  /** The options in force, defaults applied. */
  readonly options: Readonly<ResolvedOptions>;
  private readonly metrics = new Map<string, Registered>();
  private readonly ctx: InstrumentContext;
  private readonly diag: Diagnostics;
  private readonly queue: PushQueue;
  private readonly hooks = new Set<CollectHook>();
  private readonly timer: NodeJS.Timeout | undefined;
  private pipeline: Promise<unknown> = Promise.resolve();
  private lastTimestamp = 0;
  // Starts at the option and shrinks when the server answers 413.
  private maxBatchBytes: number;
  private shutdownPromise: Promise<FlushResult> | undefined;
  private readonly onBeforeExit = () =>
    void this.shutdown().catch((err: unknown) => this.reportUnreported(err));
  private readonly onSignal = (signal: NodeJS.Signals) => this.shutdownOnSignal(signal);
  private readonly onError: (err: TinyObsError) => void;

  /** @internal use {@link createTinyObs}; `send` replaces the HTTP transport in tests. */
  constructor(options: TinyObsOptions, send?: Sender) {
    const o = resolveOptions(options);
    this.options = o;
    this.maxBatchBytes = o.maxBatchBytes;
    const warnedCodes = new Set<string>();
    const onError =
      o.onError ??
      ((err: TinyObsError) => {
        if (warnedCodes.has(err.code)) return;
        warnedCodes.add(err.code);
        o.onWarning(`tinyobs: ${err.message} (further ${err.code} errors are not reported)`);
      });
    this.diag = new Diagnostics(o.onWarning);
    const baseLabels: Record<string, string> = { ...o.defaultLabels, service: o.service };
    if (o.instance !== undefined) baseLabels.instance = o.instance;
    this.ctx = {
      baseLabels,
      reservedLabels: new Set([...Object.keys(baseLabels), 'instance', OVERFLOW_LABEL]),
      maxSeries: o.maxSeriesPerMetric,
      diag: this.diag,
    };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': `tinyobs-sdk-node/${SDK_VERSION}`,
    };
    if (o.compress) headers['content-encoding'] = 'gzip';
    if (o.apiKey !== undefined) headers.authorization = `Bearer ${o.apiKey}`;
    this.queue = new PushQueue({
      send: send ?? httpSender(o.url, o.requestTimeoutMs),
      endpoint: o.endpoint,
      headers,
      maxBytes: o.maxQueueBytes,
      minBackoffMs: o.minBackoffMs,
      maxBackoffMs: o.maxBackoffMs,
      maxRetryAfterMs: o.maxRetryAfterMs,
      diag: this.diag,
      onError,
      split: (body) => this.splitBody(body),
    });
    this.onError = onError;
    const dropped = this.counter({
      name: 'tinyobs_sdk_dropped_total',
      help: 'Values and points the TinyObs SDK dropped, by reason',
      labelNames: ['reason'],
    });
    this.diag.onDrop = (reason, n) => dropped.add(n, { reason });
    const missing = this.counter({
      name: 'tinyobs_sdk_missing_labels_total',
      help: "Record calls that lacked one of their metric's label names, by metric",
      labelNames: ['metric'],
    });
    this.diag.onMissingLabel = (metric) => missing.inc({ metric });
    if (o.flushIntervalMs > 0) {
      this.timer = setInterval(() => {
        this.enqueueSnapshot().catch((err: unknown) => this.reportCollectError(err));
      }, o.flushIntervalMs);
      this.timer.unref();
    }
    if (o.shutdownOnExit) process.once('beforeExit', this.onBeforeExit);
    if (o.handleSignals) for (const sig of SIGNALS) process.once(sig, this.onSignal);
  }

  /**
   * Defines a counter, or returns the one already defined with this name and the same type,
   * label names and unit; a different definition throws a `conflict` error.
   */
  counter<const L extends string = never>(opts: CounterOptions<L>): Counter<L> {
    return this.register(new Counter<L>(opts, this.ctx));
  }

  /** Defines a gauge (get-or-create like {@link TinyObs.counter}); `collect` runs before each push. */
  gauge<const L extends string = never>(opts: GaugeOptions<L>): Gauge<L> {
    const fresh = new Gauge<L>(opts, this.ctx);
    const g = this.register(fresh);
    if (g === fresh && fresh.collectCallback !== undefined) {
      const cb = fresh.collectCallback;
      this.hooks.add(() => cb(fresh));
    }
    return g;
  }

  /** Defines a histogram (get-or-create like {@link TinyObs.counter}; buckets must match too). */
  histogram<const L extends string = never>(opts: HistogramOptions<L>): Histogram<L> {
    return this.register(new Histogram<L>(opts, this.ctx));
  }

  /**
   * Runs `hook` before every collection (push or `flush()`), e.g. to read process statistics
   * into several instruments at once. Returns a function that removes it.
   */
  addCollectHook(hook: CollectHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  /**
   * Runs the collect hooks, then resolves to the points a push would send now, without sending
   * them. Useful in tests and for debugging.
   */
  async collect(): Promise<MetricPoint[]> {
    await this.runHooks();
    return this.snapshot(Date.now());
  }

  /**
   * Pushes the current value of every series and waits for the server to acknowledge it and
   * every batch still pending from earlier pushes. Resolves to what became of their points.
   * Rejects with a {@link TinyObsError} carrying that `result`: code `rejected` when the server
   * refused a batch (its answer in `status` and `serverMessage`; the batch is dropped), code
   * `flush_timeout` when `timeoutMs` passed first (the data stays queued and is retried).
   */
  async flush(opts: FlushOptions = {}): Promise<FlushResult> {
    const ms = opts.timeoutMs ?? this.options.flushTimeoutMs;
    const tracked = this.queue.track();
    await this.enqueueSnapshot(tracked);
    this.queue.nudge();
    const inTime = await this.within(tracked.done, ms);
    return this.verdict(tracked, inTime ? undefined : `cannot flush: ${this.noAck(ms)}`);
  }

  /**
   * Stops the push timer and the signal handlers, pushes everything a last time, waits for the
   * server (at most `timeoutMs`) and stops retrying. Resolves or rejects like {@link TinyObs.flush};
   * on a timeout the batches left are dropped and counted (`reason="shutdown"`). Every later
   * call returns the same promise.
   */
  shutdown(opts: FlushOptions = {}): Promise<FlushResult> {
    if (this.shutdownPromise === undefined) {
      clearInterval(this.timer);
      process.removeListener('beforeExit', this.onBeforeExit);
      for (const sig of SIGNALS) process.removeListener(sig, this.onSignal);
      const ms = opts.timeoutMs ?? this.options.flushTimeoutMs;
      this.shutdownPromise = (async () => {
        const tracked = this.queue.track();
        try {
          await this.enqueueSnapshot(tracked);
        } catch (err) {
          this.queue.close();
          throw err;
        }
        this.queue.nudge();
        const inTime = await this.within(tracked.done, ms);
        this.queue.close();
        return this.verdict(
          tracked,
          inTime ? undefined : `cannot shut down: ${this.noAck(ms)}; the data left was dropped`,
        );
      })();
    }
    return this.shutdownPromise;
  }

  /**
   * Wraps a serverless handler so that every invocation is followed by a `flush()`; the flush
   * never turns a successful invocation into a failed one (a timeout goes to `onError`, where
   * refusals have already gone).
   */
  wrapHandler<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<Awaited<R>> {
    return async (...args: A): Promise<Awaited<R>> => {
      try {
        return await fn(...args);
      } finally {
        await this.flush().catch((err: unknown) => this.reportUnreported(err));
      }
    };
  }

  /** Queue size and drop counts. */
  stats(): TinyObsStats {
    const q = this.queue.stats();
    return {
      queuedBatches: q.batches,
      queuedBytes: q.bytes,
      dropped: Object.fromEntries(this.diag.dropped),
      missingLabels: this.diag.missingLabels,
    };
  }

  private register<I extends Registered>(fresh: I): I {
    const existing = this.metrics.get(fresh.name);
    if (existing === undefined) {
      this.metrics.set(fresh.name, fresh);
      return fresh;
    }
    if (existing.signature() !== fresh.signature()) {
      throw new TinyObsError(
        'conflict',
        `cannot define ${fresh.name} as ${fresh.describe()}: it is already defined as ${existing.describe()}; use the same definition, or another name`,
      );
    }
    return existing as I;
  }

  // Serialised so that batches enter the queue in timestamp order even when gzip and async
  // collect hooks take different times. With `tracked`, a flush's handle is sealed right after
  // its snapshot is queued, so that it covers exactly that and whatever was pending before.
  private enqueueSnapshot(tracked?: Tracked): Promise<void> {
    const next = this.pipeline.then(async () => {
      try {
        await this.runHooks();
        // Strictly increasing timestamps: two pushes in the same millisecond must not carry
        // different values for one (series, timestamp), which a TSDB would reject.
        const t = Math.max(Date.now(), this.lastTimestamp + 1);
        this.lastTimestamp = t;
        const batches: Batch[] = [];
        for (const b of encodeBatches(this.snapshot(t), this.options.maxBatchPoints, this.maxBatchBytes)) {
          batches.push({
            body: this.options.compress ? await gzipAsync(b.json) : Buffer.from(b.json),
            points: b.points,
          });
        }
        this.queue.submit(batches);
      } finally {
        tracked?.seal();
      }
    });
    this.pipeline = next.catch(() => undefined);
    return next;
  }

  // The server refused a body as too large (413): its limit is below ours. Send the body as two
  // halves, and keep later batches under the half too, so that this happens once, not per push.
  private async splitBody(body: Buffer): Promise<{ body: Buffer; points: number }[]> {
    const json = (this.options.compress ? await gunzipAsync(body) : body).toString('utf8');
    this.maxBatchBytes = Math.max(256, Math.min(this.maxBatchBytes, Math.floor(json.length / 2)));
    const metrics = (JSON.parse(json) as { metrics: unknown[] }).metrics;
    const mid = Math.ceil(metrics.length / 2);
    return Promise.all(
      [metrics.slice(0, mid), metrics.slice(mid)].map(async (part) => {
        const text = JSON.stringify({ metrics: part });
        return {
          body: this.options.compress ? await gzipAsync(text) : Buffer.from(text),
          points: part.length,
        };
      }),
    );
  }

  private snapshot(t: number): MetricPoint[] {
    const points: MetricPoint[] = [];
    const sink = (p: MetricPoint) => points.push(p);
    for (const m of this.metrics.values()) m.collect(sink, t);
    return points;
  }

  private async runHooks(): Promise<void> {
    await Promise.all(
      [...this.hooks].map(async (hook) => {
        try {
          await hook();
        } catch (err) {
          this.reportCollectError(err);
        }
      }),
    );
  }

  private reportCollectError(err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.safeOnError(new TinyObsError('collect', `cannot collect: ${msg}`, { cause: err }));
  }

  // Refusals reach onError from the queue as they happen; only a timeout is news to it.
  private reportUnreported(err: unknown): void {
    if (err instanceof TinyObsError && err.code !== 'rejected') this.safeOnError(err);
  }

  // handleSignals: push a last time, then let the signal do what it would have done. When the
  // application listens to the signal too, its handler decides when to exit.
  private shutdownOnSignal(signal: NodeJS.Signals): void {
    this.shutdown()
      .catch((err: unknown) => this.reportUnreported(err))
      .finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
  }

  private safeOnError(err: TinyObsError): void {
    try {
      this.onError(err);
    } catch {
      // The hook is the user's; its failure must not break a push.
    }
  }

  // True when `p` settled within `ms`. The timer is not unref'd: whoever awaits a flush wants the
  // process to stay up until it settles.
  private async within(p: Promise<void>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([p.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private noAck(ms: number): string {
    const why = this.queue.lastFailure;
    return `${this.options.endpoint} did not acknowledge within ${ms} ms${why === undefined ? '' : ` (last attempt: ${why})`}`;
  }

  // The result of a flush or shutdown, or the error that carries it.
  private verdict(tracked: Tracked, timeoutMessage: string | undefined): FlushResult {
    const { refusals, ...result } = tracked.outcome();
    const refused = refusals[0];
    if (refused !== undefined) {
      const more = refusals.length > 1 ? ` (and ${refusals.length - 1} more refused batches)` : '';
      throw new TinyObsError('rejected', `${refused.message}${more}`, {
        status: refused.status,
        serverMessage: refused.serverMessage,
        result,
      });
    }
    if (timeoutMessage !== undefined) throw new TinyObsError('flush_timeout', timeoutMessage, { result });
    return result;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/**
 * Creates a client. Throws `invalid_config` on a bad option.
 *
 * @example
 * const obs = createTinyObs({ service: 'checkout' });
 * const hits = obs.counter({ name: 'hits_total', labelNames: ['route'] });
 * hits.inc({ route: '/' });
 */
export function createTinyObs(options: TinyObsOptions): TinyObs {
  return new TinyObs(options);
}
