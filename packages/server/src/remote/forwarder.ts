/**
 * Remote-write forwarding: every configured target reads the write-ahead log from its own
 * durable position (see target.ts) and the log keeps what the slowest target still needs
 * (`walFloor`, the database's `walRetain` hook), up to the maximum lag: segments last written
 * longer ago than that are given up for a target that has not sent them, counted as dropped, so
 * a target that is down for days cannot fill the disk.
 *
 * Labels come from the database (`DB.seriesLabels`): every ref in the log is in its head for as
 * long as the process runs (the catalog is loaded at open and refs are never reused), so the
 * log's series records are not needed, even for a segment whose series record was truncated.
 */

import { statSync } from 'node:fs';
import type { Logger } from '../log.js';
import type { DB } from '../tsdb/db.js';
import { segmentPath } from '../tsdb/wal/segment.js';
import type { RemoteTarget } from './config.js';
import { loadPosition } from './position.js';
import { TargetQueue, type TargetStats } from './target.js';

/** How often the maximum lag is checked. */
const LAG_CHECK_MS = 10_000;

export class Forwarder {
  private queues: TargetQueue[] = [];
  private timer: NodeJS.Timeout | null = null;
  private db: DB | null = null;

  constructor(
    private readonly targets: readonly RemoteTarget[],
    private readonly dataDir: string,
    private readonly maxLagMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * The lowest log segment a target still needs (`Infinity`: none). Before {@link start} (while
   * the database opens and replays) it comes from the saved positions.
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
    this.enforceMaxLag();
    for (const q of this.queues) floor = Math.min(floor, q.floor);
    return floor;
  }

  start(db: DB): void {
    if (this.targets.length === 0) return;
    this.db = db;
    const { dir } = db.walPosition;
    this.queues = this.targets.map(
      (target) =>
        new TargetQueue(target, {
          dataDir: this.dataDir,
          walDir: dir,
          walSegment: () => db.walPosition.segment,
          labelsOf: (ref) => db.seriesLabels(ref),
          newestTimestamp: () => db.head.maxTime,
          metadataOf: (family) => db.head.meta.get(family),
          log: this.log,
        }),
    );
    for (const q of this.queues) q.start();
    this.timer = setInterval(() => this.enforceMaxLag(), LAG_CHECK_MS);
    this.timer.unref();
    this.log.info('remote write: forwarding', { targets: this.targets.map((t) => t.name) });
  }

  /** Stops every target after its round in flight (see TargetQueue.stop). */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await Promise.all(this.queues.map((q) => q.stop()));
  }

  stats(): TargetStats[] {
    return this.queues.map((q) => q.stats());
  }

  private enforceMaxLag(): void {
    const db = this.db;
    if (db === null) return;
    const { dir, segment } = db.walPosition;
    const cutoff = Date.now() - this.maxLagMs;
    const isOld = (s: number): boolean => {
      try {
        return statSync(segmentPath(dir, s)).mtimeMs < cutoff;
      } catch {
        return true; // already gone
      }
    };
    for (const q of this.queues) q.dropOlderThan(isOld, segment);
  }
}
