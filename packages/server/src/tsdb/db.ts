/**
 * The embedded time-series database: the entry point that ties the stages of `tsdb/` together.
 * It knows nothing of HTTP, JSON or PromQL.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../storage/errors.js';
import type { Appendable, Appender, Querier, Queryable } from '../storage/types.js';
import { Head } from './head/head.js';
import { decodeRecord } from './record/record.js';
import { replayWal, type WalReplayReport } from './wal/reader.js';
import { type FsyncPolicy, Wal } from './wal/wal.js';

export interface DBOptions {
  /** Directory holding the database's files; created when missing. */
  readonly dir: string;
  /**
   * When the write-ahead log is fsynced (default `interval`): `always` before every commit
   * resolves, `interval` every {@link walFsyncIntervalMs}, `never` left to the kernel. Process
   * kills lose nothing acknowledged under every policy; power cuts lose what was not fsynced.
   */
  readonly walFsync?: FsyncPolicy;
  /** Period of the `interval` fsync policy in ms (default 1000). */
  readonly walFsyncIntervalMs?: number;
  /** Size after which the log starts a new segment file, in bytes (default 64 MiB). */
  readonly walSegmentBytes?: number;
  /** How far behind its series' newest sample a sample may be and still be stored, in ms (default 10 min). */
  readonly oooWindowMs?: number;
  /** Receives warnings (a cut log tail, …); default `console.warn`. */
  readonly warn?: (message: string) => void;
}

export class DB implements Appendable, Queryable {
  private closed = false;

  private constructor(
    readonly options: DBOptions,
    readonly head: Head,
    private readonly wal: Wal,
    /** What the write-ahead log replay found at open, including any cut tail. */
    readonly replay: WalReplayReport,
  ) {}

  /** Opens (or creates) the database in `options.dir`, replaying its write-ahead log. */
  static async open(options: DBOptions): Promise<DB> {
    const warn = options.warn ?? ((m: string) => console.warn(m));
    const walDir = join(options.dir, 'wal');
    mkdirSync(walDir, { recursive: true });
    const log = { wal: null as Wal | null };
    const head = new Head({
      ...(options.oooWindowMs !== undefined ? { oooWindowMs: options.oooWindowMs } : {}),
      log: {
        write: (payloads) => log.wal!.write(payloads),
        durable: () => log.wal!.durable(),
      },
    });
    const report = replayWal(walDir, 0, (payload) =>
      decodeRecord(payload, {
        series: (entries) => {
          for (const e of entries) head.restore(e.ref, e.labels);
        },
        sample: (ref, t, v) => {
          const s = head.seriesByRef(ref);
          if (s !== undefined) head.store(s, t, v);
        },
        metadata: (entries) => {
          for (const [metric, meta] of entries) head.meta.set(metric, meta);
        },
      }),
    );
    if (report.cut !== null) {
      const c = report.cut;
      warn(
        `tsdb: cut the write-ahead log at segment ${c.segment} offset ${c.offset} (${c.reason}): ` +
          `dropped ${c.bytesDropped} bytes and ${c.segmentsDropped} later segments; everything before is kept`,
      );
    }
    log.wal = new Wal(walDir, {
      ...(options.walFsync !== undefined ? { fsync: options.walFsync } : {}),
      ...(options.walFsyncIntervalMs !== undefined ? { fsyncIntervalMs: options.walFsyncIntervalMs } : {}),
      ...(options.walSegmentBytes !== undefined ? { segmentSize: options.walSegmentBytes } : {}),
    });
    return new DB(options, head, log.wal, report);
  }

  appender(): Appender {
    if (this.closed) throw new StorageError('storage_closed', 'cannot append: the database is closed');
    return this.head.appender();
  }

  querier(mint: number, maxt: number): Querier {
    return this.head.querier(mint, maxt);
  }

  /** Flushes what must be durable and releases resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wal.close();
  }
}
