/**
 * Remote-write forwarding: every configured target reads the write-ahead log from its own
 * durable position (see target.ts) and the log keeps what the slowest target still needs
 * (`walFloor`, the database's `walRetain` hook), up to the maximum lag: segments last written
 * longer ago than that are given up for a target that has not sent them, counted as dropped, so
 * a target that is down for days cannot fill the disk.
 *
 * The per-sample work runs in a worker thread (worker.ts, messages in protocol.ts): ingest is
 * bound by the main thread, and forwarding there cost it about a microsecond per sample. The
 * main thread answers the worker's questions for labels it could not read in the log (from
 * `DB.seriesLabels`: every ref in the log is in the head for as long as the process runs, since
 * the catalog is loaded at open and refs are never reused, even for a segment whose series
 * record was truncated) and mirrors the worker's state. A worker that fails is logged as an
 * error and replaced after a pause by a new one that starts from the saved positions: rounds
 * acknowledged but not yet saved are sent again, nothing is lost.
 */

import { MessageChannel, type Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { startWorker } from '../threads.js';
import type { DB } from '../tsdb/db.js';
import { SAMPLE_BYTES } from '../tsdb/record/record.js';
import type { RemoteTarget } from './config.js';
import { loadPosition, type SavedPosition } from './position.js';
import {
  type FromWorker,
  type LabelsReply,
  type LabelsRequest,
  type TargetState,
  type ToWorker,
  targetToWire,
  type WorkerInit,
} from './protocol.js';
import type { TargetStats } from './target.js';
import { unreadBytes } from './wal_tail.js';

/** Pause before a failed worker is replaced, doubling up to the maximum while it keeps failing. */
const RESTART_MS = 1_000;
const MAX_RESTART_MS = 60_000;

/**
 * The counters a replaced worker starts again from zero; kept here so the totals never go back
 * (what a failed worker counted after its last state message, at most 100 ms, is not in them).
 */
type Counters = Pick<TargetState, 'sent' | 'failed' | 'dropped'>;

export class Forwarder {
  private db: DB | null = null;
  private worker: Worker | null = null;
  /** The worker's last posted state, one per target (before its first post: where it starts). */
  private states: TargetState[] = [];
  /** Totals of the workers that failed. */
  private base: Counters[] = [];
  private stopping = false;
  private stopped: Promise<void> = Promise.resolve();
  private restartMs = RESTART_MS;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly targets: readonly RemoteTarget[],
    private readonly dataDir: string,
    private readonly maxLagMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * The lowest log segment a target still needs (`Infinity`: none). Before {@link start} (while
   * the database opens and replays) it comes from the saved positions; then from the worker's
   * acknowledged positions, which it is also asked to move past the maximum lag (the move shows
   * at a later call: the log is then truncated one persistence later).
   */
  walFloor(): number {
    let floor = Number.POSITIVE_INFINITY;
    if (this.db === null) {
      for (const t of this.targets) {
        const p = loadPosition(this.dataDir, t.id);
        if (p !== null) floor = Math.min(floor, p.segment);
      }
      return floor;
    }
    this.send({ type: 'check_lag' });
    for (const s of this.states) floor = Math.min(floor, s.acked.segment);
    return floor;
  }

  start(db: DB): void {
    if (this.targets.length === 0) return;
    this.db = db;
    this.base = this.targets.map(() => ({ sent: 0, failed: 0, dropped: 0 }));
    this.spawn();
    this.log.info('remote write: forwarding', { targets: this.targets.map((t) => t.name) });
  }

  /** Stops every target after its round in flight (see TargetQueue.stop) and ends the worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.send({ type: 'stop' });
    await this.stopped;
  }

  stats(): TargetStats[] {
    const db = this.db;
    if (db === null) return [];
    const { dir } = db.walPosition;
    return this.states.map((s, i) => {
      const t = this.targets[i]!;
      const pending = s.inFlight + Math.floor(unreadBytes(dir, s.read) / SAMPLE_BYTES);
      const lagMs = pending > 0 ? Math.max(0, db.head.maxTime - s.acked.sentUntilMs) : 0;
      const base = this.base[i]!;
      return {
        name: t.name,
        url: t.url,
        pending,
        sent: base.sent + s.sent,
        failed: base.failed + s.failed,
        dropped: base.dropped + s.dropped,
        lagSeconds: lagMs / 1000,
        position: { segment: s.acked.segment, offset: s.acked.offset, skip: s.acked.skip },
        protobufMessage: s.protobufMessage,
      };
    });
  }

  /** Starts a worker from the saved positions (a target that never saved one: the segment being written). */
  private spawn(): void {
    const db = this.db!;
    const positions: SavedPosition[] = this.targets.map(
      (t) =>
        loadPosition(this.dataDir, t.id) ?? {
          segment: db.walPosition.segment,
          offset: 0,
          skip: 0,
          sentUntilMs: 0,
        },
    );
    this.states = positions.map((p, i) => ({
      acked: p,
      read: p,
      inFlight: 0,
      sent: 0,
      failed: 0,
      dropped: 0,
      protobufMessage: this.states[i]?.protobufMessage ?? 'io.prometheus.write.v2.Request',
    }));
    const { port1, port2 } = new MessageChannel();
    const replied = new Int32Array(new SharedArrayBuffer(4));
    port1.on('message', (q: LabelsRequest) => {
      port1.postMessage({
        labels: q.refs.map((ref) => db.seriesLabels(ref) ?? null),
        metadata: q.families.map((f) => db.head.meta.get(f) ?? null),
      } satisfies LabelsReply);
      Atomics.store(replied, 0, 1);
      Atomics.notify(replied, 0);
    });
    const init: WorkerInit = {
      dataDir: this.dataDir,
      walDir: db.walPosition.dir,
      maxLagMs: this.maxLagMs,
      targets: this.targets.map(targetToWire),
      positions,
      labelsPort: port2,
      replied,
    };
    const worker = startWorker(import.meta.url, 'worker', { workerData: init, transferList: [port2] });
    const startedAt = Date.now();
    this.worker = worker;
    let failure: Error | null = null;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'state') this.states = [...m.targets];
      else if (m.type === 'log') this.log[m.level](m.msg, m.fields);
      else void worker.terminate(); // stopped: idle keep-alive sockets must not keep it running
    });
    worker.on('error', (err) => {
      failure = err;
    });
    this.stopped = new Promise((resolve) => {
      worker.once('exit', (code) => {
        port1.close();
        this.worker = null;
        if (this.stopping) return resolve();
        // One that ran a while before failing is replaced soon again; one that keeps failing, ever later.
        if (Date.now() - startedAt > MAX_RESTART_MS) this.restartMs = RESTART_MS;
        this.failed(failure ?? new Error(`the worker exited with code ${code}`));
        resolve();
      });
    });
  }

  /** A worker ended without being asked to: say so loudly and start another one later. */
  private failed(err: Error): void {
    this.states.forEach((s, i) => {
      const b = this.base[i]!;
      this.base[i] = { sent: b.sent + s.sent, failed: b.failed + s.failed, dropped: b.dropped + s.dropped };
    });
    this.log.error(
      'remote write: the forwarding worker failed; starting a new one from the saved positions',
      {
        error: err.message,
        restartInMs: this.restartMs,
      },
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.spawn();
    }, this.restartMs);
    this.restartMs = Math.min(MAX_RESTART_MS, this.restartMs * 2);
  }

  private send(m: ToWorker): void {
    this.worker?.postMessage(m);
  }
}
