/**
 * The write-ahead log writer. A batch of records is framed and written with one writev(2), so a
 * process kill after the call returns cannot lose it (it is in the kernel's page cache); the fsync
 * policy decides what a power cut can lose:
 *
 * - `always`: every commit waits for fdatasync(2); commits that arrive while one is in flight share
 *   the next one (group commit). A power cut loses nothing acknowledged.
 * - `interval` (default): fdatasync every `fsyncIntervalMs` (default 1000). A power cut loses at
 *   most that much acknowledged data.
 * - `never`: the kernel writes back when it likes (typically within 30 s).
 *
 * A segment is closed with an fsync (except under `never`) when the log moves on to the next.
 */

import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { StorageError } from '../../storage/errors.js';
import {
  frameHeader,
  isSealed,
  listSegments,
  SEAL_FRAME_BYTES,
  SEAL_PAYLOAD,
  segmentPath,
} from './segment.js';

export type FsyncPolicy = 'always' | 'interval' | 'never';

/** The two file operations a log write makes; tests inject faults (short writes, ENOSPC) here. */
export interface WalFileOps {
  writev(fd: number, buffers: readonly Uint8Array[]): number;
  ftruncate(fd: number, length: number): void;
}

const FS_OPS: WalFileOps = {
  writev: (fd, buffers) => writevSync(fd, buffers as NodeJS.ArrayBufferView[]),
  ftruncate: (fd, length) => ftruncateSync(fd, length),
};

export interface WalOptions {
  /** Segment size after which the log moves to a new segment (default 64 MiB). */
  readonly segmentSize?: number;
  readonly fsync?: FsyncPolicy;
  readonly fsyncIntervalMs?: number;
  /** File operations of writes (default: node:fs). */
  readonly ops?: WalFileOps;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class Wal {
  private fd: number;
  private segment: number;
  private segmentBytes = 0;
  /** Bytes of the segments before the current one (for the stats). */
  private olderBytes: number;
  private readerOnly = 0;
  private readonly segmentSize: number;
  private readonly policy: FsyncPolicy;
  private readonly timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private syncing = false;
  private waiters: Waiter[] = [];
  /** Old segment fds whose close waits for an in-flight fdatasync on them. */
  private closeAfterSync: number[] = [];
  private closed = false;
  private readonly ops: WalFileOps;
  /**
   * Set when a failed write left bytes after the last whole frame that could not be cut off yet:
   * nothing more is written (so nothing is acknowledged) until they are.
   */
  private torn = false;

  /** Opens a fresh segment after the existing ones (replay them first with `replayWal`). */
  constructor(
    private readonly dir: string,
    options: WalOptions = {},
  ) {
    this.segmentSize = options.segmentSize ?? 64 << 20;
    this.policy = options.fsync ?? 'interval';
    this.ops = options.ops ?? FS_OPS;
    const existing = listSegments(dir);
    // The last segment of a killed process is not sealed: seal it before starting the next one.
    const last = existing.at(-1);
    if (last !== undefined) {
      const fd = openSync(segmentPath(dir, last), 'r+');
      try {
        const size = fstatSync(fd).size;
        const tail = Buffer.alloc(Math.min(size, SEAL_FRAME_BYTES));
        readSync(fd, tail, 0, tail.length, size - tail.length);
        if (!isSealed(tail)) {
          writeSync(fd, Buffer.concat([frameHeader(SEAL_PAYLOAD), SEAL_PAYLOAD]), 0, SEAL_FRAME_BYTES, size);
          if (this.policy !== 'never') fdatasyncSync(fd);
        }
      } finally {
        closeSync(fd);
      }
    }
    this.olderBytes = 0;
    for (const s of existing) this.olderBytes += statSync(segmentPath(dir, s)).size;
    this.segment = (last ?? 0) + 1;
    this.fd = openSync(segmentPath(dir, this.segment), 'a');
    if (this.policy === 'interval') {
      this.timer = setInterval(() => this.syncInBackground(), options.fsyncIntervalMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Index of the segment being written. */
  get currentSegment(): number {
    return this.segment;
  }

  /** Bytes in all segments. */
  get size(): number {
    return this.olderBytes + this.segmentBytes;
  }

  /**
   * Writes the records as one write. Throws a {@link StorageError} when the write fails (disk
   * full: `storage_full`; anything else: `storage_unavailable`); nothing is then acknowledged,
   * and the segment is cut back to its last whole frame, so that a torn frame never sits before
   * records acknowledged later (replay stops at the first damaged frame). When even the cut
   * fails, every later write retries it first and fails until it succeeds.
   */
  write(payloads: readonly Uint8Array[]): void {
    if (this.closed) throw new StorageError('storage_closed', 'cannot write to the WAL: it is closed');
    if (this.torn) this.cutBack();
    if (this.segmentBytes >= this.segmentSize) this.nextSegment();
    const iov: Uint8Array[] = [];
    let total = 0;
    for (const p of payloads) {
      iov.push(frameHeader(p), p);
      total += 8 + p.length;
    }
    let written = 0;
    try {
      while (written < total) written += this.ops.writev(this.fd, written === 0 ? iov : rest(iov, written));
    } catch (err) {
      throw this.failed(err);
    }
    this.segmentBytes += total;
    this.dirty = true;
  }

  /**
   * After a failed write: whatever part of the frames reached the file goes (a failing cut is
   * retried by the next write). Returns the error to throw.
   */
  private failed(err: unknown): StorageError {
    this.torn = true;
    try {
      this.cutBack();
    } catch {
      // reported by the next write
    }
    return writeError(err);
  }

  /** Cuts the segment back to its last whole frame after a failed write. */
  private cutBack(): void {
    try {
      this.ops.ftruncate(this.fd, this.segmentBytes);
    } catch (err) {
      throw writeError(err);
    }
    this.torn = false;
  }

  /** Resolves once everything written so far is as durable as the fsync policy promises. */
  durable(): Promise<void> {
    if (this.policy !== 'always') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.syncing) this.groupSync();
    });
  }

  /**
   * Moves writing to a new segment and returns its index. Every record written before the call
   * is in a segment below it, so once that is persisted elsewhere {@link removeBefore} may go.
   */
  nextSegment(): number {
    try {
      this.ops.writev(this.fd, [frameHeader(SEAL_PAYLOAD), SEAL_PAYLOAD]);
    } catch (err) {
      throw this.failed(err);
    }
    this.segmentBytes += SEAL_FRAME_BYTES;
    if (this.policy !== 'never') fdatasyncSync(this.fd);
    if (this.syncing) this.closeAfterSync.push(this.fd);
    else closeSync(this.fd);
    this.olderBytes += this.segmentBytes;
    this.segment++;
    this.segmentBytes = 0;
    this.fd = openSync(segmentPath(this.dir, this.segment), 'a');
    return this.segment;
  }

  /**
   * Deletes the segments below `segment` (their content is persisted); those from there up to
   * `persistedBefore` are persisted too but kept for a reader of the log ({@link readerOnlyBytes}).
   */
  removeBefore(segment: number, persistedBefore = segment): void {
    this.readerOnly = 0;
    for (const s of listSegments(this.dir)) {
      if (s >= persistedBefore) break;
      const p = segmentPath(this.dir, s);
      const size = statSync(p).size;
      if (s >= segment) {
        this.readerOnly += size;
        continue;
      }
      this.olderBytes -= size;
      rmSync(p, { force: true });
    }
  }

  /** Bytes of persisted segments kept only for a reader of the log, as of the last {@link removeBefore}. */
  get readerOnlyBytes(): number {
    return this.readerOnly;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.policy !== 'never') fdatasyncSync(this.fd);
    for (const w of this.waiters.splice(0)) w.resolve();
    if (!this.syncing) closeSync(this.fd);
    else this.closeAfterSync.push(this.fd);
  }

  private groupSync(): void {
    const batch = this.waiters;
    this.waiters = [];
    this.syncing = true;
    this.dirty = false;
    fdatasync(this.fd, (err) => {
      this.syncing = false;
      for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
      for (const w of batch) {
        if (err === null) w.resolve();
        else w.reject(new StorageError('storage_io', `cannot fsync the WAL: ${err.message}`, { cause: err }));
      }
      if (this.waiters.length > 0 && !this.closed) this.groupSync();
    });
  }

  private syncInBackground(): void {
    if (!this.dirty || this.syncing || this.closed) return;
    this.groupSync();
  }
}

/** The typed error of a failed log write: `storage_full` when the disk or quota is full. */
function writeError(err: unknown): StorageError {
  const code = (err as NodeJS.ErrnoException).code;
  return new StorageError(
    code === 'ENOSPC' || code === 'EDQUOT' ? 'storage_full' : 'storage_unavailable',
    `cannot write to the WAL: ${(err as Error).message}`,
    { cause: err },
  );
}

/** The iovec after the first `skip` bytes, for a short writev. */
function rest(iov: readonly Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of iov) {
    if (skip >= b.length) skip -= b.length;
    else {
      out.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return out;
}
