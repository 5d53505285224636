/**
 * Forwarding to one target: rounds of up to `shards × maxSamplesPerSend` samples read from the
 * log at the target's position, split by series into shards, each shard one snappy remote write
 * request, all in flight together. The position moves (durably) only when every request of a
 * round was acknowledged or refused for good, so a restart sends each sample once: never one
 * that was acknowledged, never none of one that was not.
 *
 * Which message (`protobuf_message`): 1.0 or 2.0 as configured, or `auto`: 2.0 first, settled
 * by the reply to the first request (sent alone, before the rest of its round). A 2.0 receiver
 * confirms with `X-Prometheus-Remote-Write-Samples-Written` (the 2.0 specification makes it
 * mandatory on every answer, errors included); without it, a 415, a 400 (what the specification tells senders to expect from a 1.x receiver)
 * or a 2xx without that header (a 1.x receiver that ignores the Content-Type and reads the 2.0
 * body as an empty 1.0 request, as VictoriaMetrics does) means 1.x: the same batch is sent again
 * as 1.0, and 1.0 is kept until the process restarts.
 */

import { ProtoWriter } from '../ingest/protobuf/writer.js';
import type { WriteMetadata, WriteSeries } from '../ingest/remotewrite/encode.js';
import type { Logger } from '../log.js';
import type { Labels } from '../model/labels.js';
import { matchesAll } from '../model/matcher.js';
import type { MetricMetadata } from '../model/sample.js';
import { grown } from '../typed.js';
import type { RemoteTarget } from './config.js';
import { CachedV1Encoder, encodeV2Body, type ShardBatch, type WireMessage } from './encode.js';
import { type SavedPosition, savePosition, type WalPosition } from './position.js';
import type { TargetState } from './protocol.js';
import { type SendOutcome, sendWithRetries } from './send.js';
import { countSamplesFrom, WalTail } from './wal_tail.js';

/** How often the end of the log is polled for new records. */
const POLL_MS = 100;

/** What a target needs (in the forwarding worker, see worker.ts). */
export interface TargetDeps {
  readonly dataDir: string;
  readonly walDir: string;
  /** Where it starts: its saved position, or the segment being written. */
  readonly start: SavedPosition;
  /** Labels of a log series ref. */
  labelsOf(ref: number): Labels | undefined;
  /** Metadata of metric families (sent with 2.0), `names[i]`'s at `i`; one question for all. */
  metadataOf(names: readonly string[]): (MetricMetadata | undefined)[];
  /** Each log record before its samples are read (see WalTail's `record`). */
  record(payload: Buffer): void;
  readonly log: Logger;
}

/** A target's self-metrics (`/v1/stats`, `/metrics`), made on the main thread from its {@link TargetState}. */
export interface TargetStats {
  readonly name: string;
  readonly url: string;
  /** Samples read but not yet acknowledged, plus those still in the log (log bytes / 20). */
  readonly pending: number;
  readonly sent: number;
  /** Requests that failed and will be retried (5xx, 429, network). */
  readonly failed: number;
  /** Samples given up: refused with a 4xx, unknown series, or past the maximum lag. */
  readonly dropped: number;
  /** Newest stored sample timestamp minus newest acknowledged one, 0 when caught up. */
  readonly lagSeconds: number;
  readonly position: WalPosition;
  /** The message sent now (`auto` before the first reply: 2.0). */
  readonly protobufMessage: 'prometheus.WriteRequest' | 'io.prometheus.write.v2.Request';
}

const MESSAGE_NAMES = {
  v1: 'prometheus.WriteRequest',
  v2: 'io.prometheus.write.v2.Request',
} as const satisfies Record<WireMessage, string>;

export class TargetQueue {
  private readonly counters = { sent: 0, failed: 0, dropped: 0 };
  private readonly tail: WalTail;
  private acked: SavedPosition;
  /** The newest position on disk: what the main thread may truncate the log below. */
  private saved: SavedPosition;
  private inFlight = 0;
  /** Bumped when the lag bound moves the position: the round in flight is abandoned. */
  private generation = 0;
  private stopping = false;
  private loop: Promise<void> | null = null;
  /** By ref: 0 not looked up yet, 1 sent, 2 not (an array: a Map lookup per sample showed in a profile). */
  private selected = new Uint8Array(1024);
  private readonly v1 = new CachedV1Encoder();
  private saving: Promise<void> = Promise.resolve();
  /** One batch per shard, reused every round (rounds never overlap). */
  private readonly batches: ShardBatch[];
  private lastRefusal = 0;
  private message: WireMessage;
  /** False while `auto` waits for the first reply to 2.0. */
  private negotiated: boolean;

  constructor(
    readonly target: RemoteTarget,
    private readonly deps: TargetDeps,
  ) {
    this.acked = deps.start;
    this.saved = deps.start;
    this.message = target.protobufMessage === 'v1' ? 'v1' : 'v2';
    this.negotiated = target.protobufMessage !== 'auto';
    this.batches = Array.from({ length: target.shards }, () => ({
      n: 0,
      writer: new ProtoWriter(64 * 1024),
      refs: new Uint32Array(target.maxSamplesPerSend),
      ts: new Float64Array(target.maxSamplesPerSend),
      vs: new Float64Array(target.maxSamplesPerSend),
    }));
    this.tail = new WalTail(deps.walDir, this.acked, {
      skipped: (segment, reason) =>
        deps.log.warn('remote write: skipped a log segment', { target: target.name, segment, reason }),
      record: deps.record,
    });
  }

  start(): void {
    this.save();
    this.loop = this.run();
  }

  /** Stops after the round in flight (its retries are cancelled; it is then sent again at the next start). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await this.saving;
    this.tail.close();
  }

  /**
   * Gives up the unsent data of the segments `isOld` names (below `current`, the segment being
   * written): the position moves past them, the round in flight is abandoned, and the samples
   * skipped are counted as dropped. Returns the samples dropped.
   */
  dropOlderThan(isOld: (segment: number) => boolean, current: number): number {
    let dropped = 0;
    const from = this.acked.segment;
    while (this.acked.segment < current && isOld(this.acked.segment)) {
      dropped += countSamplesFrom(this.deps.walDir, this.acked);
      this.acked = {
        segment: this.acked.segment + 1,
        offset: 0,
        skip: 0,
        sentUntilMs: this.acked.sentUntilMs,
      };
    }
    if (this.acked.segment === from) return 0;
    this.counters.dropped += dropped;
    this.generation++;
    this.inFlight = 0; // the round in flight is abandoned (its samples are in `dropped`)
    this.tail.pos = this.acked;
    this.save();
    this.deps.log.warn('remote write: dropped data older than the maximum lag', {
      target: this.target.name,
      samples: dropped,
    });
    return dropped;
  }

  /** What the main thread mirrors (see protocol.ts). */
  state(): TargetState {
    return {
      acked: this.saved,
      read: this.tail.pos,
      inFlight: this.inFlight,
      ...this.counters,
      protobufMessage: MESSAGE_NAMES[this.message],
    };
  }

  private async run(): Promise<void> {
    const { shards, maxSamplesPerSend } = this.target;
    while (!this.stopping) {
      const generation = this.generation;
      for (const b of this.batches) b.n = 0;
      let unknown = 0;
      let newest = this.acked.sentUntilMs;
      this.tail.read(shards * maxSamplesPerSend, (ref, t, v) => {
        const keep = this.isSelected(ref);
        if (keep === undefined) unknown++;
        if (!keep) return true;
        const b = this.batches[ref % shards]!;
        if (b.n === maxSamplesPerSend) return false; // this shard is full: the round ends here
        b.refs[b.n] = ref;
        b.ts[b.n] = t;
        b.vs[b.n++] = v;
        if (t > newest) newest = t;
        return true;
      });
      const end = this.tail.pos;
      if (samePosition(end, this.acked)) {
        await sleep(POLL_MS);
        continue;
      }
      if (unknown > 0) {
        this.counters.dropped += unknown;
        this.deps.log.warn('remote write: samples of unknown series dropped', {
          target: this.target.name,
          unknown,
        });
      }
      const full = this.batches.filter((b) => b.n > 0);
      this.inFlight = full.reduce((sum, b) => sum + b.n, 0); // each send takes its part off
      // Not negotiated yet: the first request alone settles the message for the others.
      const first = this.negotiated || full.length === 0 ? [] : [await this.send(full.shift()!)];
      const outcomes = [...first, ...(await Promise.all(full.map((b) => this.send(b))))];
      if (generation !== this.generation) continue; // dropped past the maximum lag meanwhile
      if (outcomes.some((o) => !o.ok && o.status === 0)) break; // stopping: resend at the next start
      this.acked = { ...end, sentUntilMs: newest };
      await this.save();
    }
  }

  /** Sends one shard's batch; counts it as sent or dropped (status 0: cancelled, not counted). */
  private async send(b: ShardBatch): Promise<SendOutcome> {
    const n = b.n;
    const generation = this.generation;
    try {
      let out = await this.post(b, generation);
      if (generation !== this.generation) return out;
      if (this.settles(out)) out = await this.post(b, generation);
      if (generation !== this.generation) return out;
      if (out.ok) this.counters.sent += n;
      else if (out.status !== 0) {
        this.counters.dropped += n;
        // One line per minute at most: a misconfigured target must not flood the log.
        if (Date.now() - this.lastRefusal > 60_000) {
          this.lastRefusal = Date.now();
          this.deps.log.warn('remote write: target refused a batch; dropped', {
            target: this.target.name,
            status: out.status,
            message: out.message,
            samples: n,
          });
        }
      }
      return out;
    } finally {
      if (generation === this.generation) this.inFlight -= n;
    }
  }

  /** Saves the acknowledged position after the saves before it (see savePosition). */
  private save(): Promise<void> {
    const p = this.acked;
    this.saving = this.saving
      .then(() => savePosition(this.deps.dataDir, this.target.id, this.target.url, p))
      .then(() => {
        this.saved = p;
      })
      .catch((err: Error) =>
        this.deps.log.warn('remote write: cannot save the position', {
          target: this.target.name,
          error: err.message,
        }),
      );
    return this.saving;
  }

  /** One request of a shard's batch in the current message, with retries. */
  private async post(b: ShardBatch, generation: number): Promise<SendOutcome> {
    const message = this.message;
    const body =
      message === 'v1'
        ? this.v1.body(b, this.deps.labelsOf)
        : encodeV2Body(b, this.deps.labelsOf, (series) => this.metadataFor(series));
    return sendWithRetries(this.target.url, this.target.headers, message, body, {
      retrying: () => {
        this.counters.failed++;
      },
      cancelled: () => this.stopping || generation !== this.generation,
    });
  }

  /**
   * In `auto` mode, what the first reply to 2.0 says (see the top of this file). Returns true
   * when the target speaks 1.x only: the batch must go again, as 1.0.
   */
  private settles(out: SendOutcome): boolean {
    if (this.negotiated) return false;
    const v2 = out.written !== null; // a 2.0 receiver, even when it refused this batch
    if (!v2 && !out.ok && out.status !== 415 && out.status !== 400) return false; // says nothing
    this.negotiated = true;
    if (!v2) this.message = 'v1';
    this.deps.log.info('remote write: message settled', {
      target: this.target.name,
      message: MESSAGE_NAMES[this.message],
      reply: out.ok ? 'no X-Prometheus-Remote-Write-Samples-Written header' : out.status,
    });
    return !v2;
  }

  /** The metadata of the metric families of `series`, keyed by their `__name__`. */
  private metadataFor(series: readonly WriteSeries[]): ReadonlyMap<string, WriteMetadata> {
    const names = new Set<string>();
    for (const s of series) {
      const name = s.labels.find((l) => l.name === '__name__')?.value;
      if (name !== undefined) names.add(name);
    }
    const list = [...names];
    // Each name's own metadata, then its family's (asked together: one wait for the main thread).
    const found = this.deps.metadataOf([...list, ...list.map(familyOf)]);
    const out = new Map<string, WriteMetadata>();
    for (let i = 0; i < list.length; i++) {
      let m = found[i];
      if (m === undefined) {
        const family = found[list.length + i];
        if (family?.type === 'histogram' || family?.type === 'summary') m = family;
      }
      if (m !== undefined && (m.type !== 'unknown' || m.help !== '' || m.unit !== ''))
        out.set(list[i]!, { metric: list[i]!, ...m });
    }
    return out;
  }

  /** Whether a ref's series goes to this target (undefined: its labels are unknown). */
  private isSelected(ref: number): boolean | undefined {
    const known = ref < this.selected.length ? this.selected[ref]! : 0;
    if (known !== 0) return known === 1;
    const labels = this.deps.labelsOf(ref);
    if (labels === undefined) return undefined;
    const keep = this.target.match.length === 0 || this.target.match.some((m) => matchesAll(m, labels));
    if (ref >= this.selected.length) {
      this.selected = grown(this.selected, Math.max(ref + 1, this.selected.length * 2));
    }
    this.selected[ref] = keep ? 1 : 2;
    return keep;
  }
}

/** `x` for `x_bucket`, `x_sum`, `x_count` (histogram and summary series share their family's metadata). */
function familyOf(name: string): string {
  const m = /^(.*)_(?:bucket|sum|count)$/.exec(name);
  return m === null ? name : m[1]!;
}

function samePosition(a: WalPosition, b: WalPosition): boolean {
  return a.segment === b.segment && a.offset === b.offset && a.skip === b.skip;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
