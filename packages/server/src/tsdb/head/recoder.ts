/**
 * Re-encoding cut chunks in their smallest encoding on another thread. A head's series are
 * usually in step (pushed together, cut after the same number of samples), so they cut their
 * chunks in the same commit: re-encoding 10 000 of them there took about 250 ms of one request
 * while every other request waited, and the re-encoding was a sixth of the event loop's work per
 * sample under a steady push. A cut chunk therefore starts as a copy of its XOR bytes (readable
 * as it is, by queries and persistence alike) and a worker thread re-encodes it; the result
 * replaces the bytes in place, so memory reaches the same state soon after.
 *
 * The queue is bounded: while it is full, or when the worker cannot run (it failed to start or
 * died), a cut re-encodes at once on the calling thread, as before, and so do the chunks it was
 * given.
 */

import type { Worker } from 'node:worker_threads';
import { detachOneBuffer, startWorker } from '../../threads.js';
import { ChunkEncoder, chunkEncoding, Encoding } from '../chunkenc/index.js';
import type { MemChunk } from './series.js';
import { ChunkArena } from './slab.js';

/** Chunks one after the other (`ends[i]`: where chunk i ends in `bytes`), both ways. */
export interface RecodeBatch {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly ends: Uint32Array;
}

/** Most chunks in one message: a few tens of milliseconds of the worker's time. */
const BATCH = 2048;

export class Recoder {
  private queue: MemChunk[] = [];
  private readonly inFlight = new Map<number, MemChunk[]>();
  private nextId = 0;
  private scheduled = false;
  private worker: Worker | null = null;
  private failed = false;
  /**
   * Chunks queued so far and chunks done (in order: one worker takes the batches first in, first
   * out), and who waits for a count to be done.
   */
  private queued = 0;
  private done = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  /**
   * XOR copies waiting: their slabs are dropped by the GC once every chunk in them has its
   * re-encoded bytes.
   */
  private readonly staging = new ChunkArena();
  private readonly encoder = new ChunkEncoder();

  constructor(
    private readonly arena: ChunkArena,
    private readonly maxPending = 200_000,
    /** The worker's module beside this one (a test names one that does not exist). */
    private readonly workerName = 'recode_worker',
  ) {
    // Batches go to the worker by transfer, which detaches their buffers: the first detach of a
    // process makes V8 throw away every optimized function that reads a typed array. A recoder
    // is made when the head's module loads, before any code is hot (see threads.ts).
    detachOneBuffer();
  }

  /** Chunks waiting for their re-encoding (queued or in a message). */
  get pending(): number {
    return this.queued - this.done;
  }

  /** A cut chunk of the XOR bytes `xor` (a view its caller reuses): a copy, re-encoded now or soon. */
  chunk(xor: Uint8Array, mint: number, maxt: number): MemChunk {
    if (this.failed || this.pending >= this.maxPending) return { bytes: this.recodedNow(xor), mint, maxt };
    const c: MemChunk = { bytes: this.staging.copy(xor), mint, maxt };
    this.queue.push(c);
    this.queued++;
    if (!this.scheduled) {
      // Once per turn of the event loop: every chunk a commit cuts goes in one message.
      this.scheduled = true;
      setImmediate(this.send);
    }
    return c;
  }

  /** Whether a worker thread does the re-encoding (false before the first cut and after a failure). */
  get onWorker(): boolean {
    return this.worker !== null;
  }

  /**
   * Resolves once every chunk cut before the call has its smallest encoding (chunks cut meanwhile
   * do not hold it up: under a steady push the queue is never empty). Persistence waits for this,
   * and so can tests.
   */
  flushed(): Promise<void> {
    const upTo = this.queued;
    if (this.done >= upTo) return Promise.resolve();
    // Someone waits for the worker: it keeps the process alive until then.
    this.worker?.ref();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  /**
   * Re-encodes every waiting chunk now, on the calling thread: a synchronous persistence must not
   * write XOR chunks. The worker's replies for them are then ignored.
   */
  finishNow(): void {
    for (const chunks of this.inFlight.values()) for (const c of chunks) this.recodeInPlace(c);
    for (const c of this.queue) this.recodeInPlace(c);
    this.inFlight.clear();
    this.queue = [];
    this.finished(this.queued);
  }

  private recodeInPlace(c: MemChunk): void {
    if (chunkEncoding(c.bytes) === Encoding.XOR) c.bytes = this.recodedNow(c.bytes);
  }

  private readonly send = (): void => {
    this.scheduled = false;
    const worker = this.start();
    if (worker === null) return;
    while (this.queue.length > 0) {
      const chunks = this.queue.length > BATCH ? this.queue.splice(0, BATCH) : this.queue.splice(0);
      let size = 0;
      for (const c of chunks) size += c.bytes.length;
      const bytes = new ArrayBuffer(size);
      const ends = new ArrayBuffer(chunks.length * 4);
      const batch: RecodeBatch = {
        id: ++this.nextId,
        bytes: new Uint8Array(bytes),
        ends: new Uint32Array(ends),
      };
      let at = 0;
      for (let i = 0; i < chunks.length; i++) {
        batch.bytes.set(chunks[i]!.bytes, at);
        at += chunks[i]!.bytes.length;
        batch.ends[i] = at;
      }
      this.inFlight.set(batch.id, chunks);
      worker.postMessage(batch, [bytes, ends]);
    }
  };

  private start(): Worker | null {
    if (this.worker !== null || this.failed) return this.worker;
    try {
      const worker = startWorker(import.meta.url, this.workerName);
      worker.on('message', (reply: RecodeBatch) => this.receive(reply));
      worker.on('error', () => this.fail());
      worker.on('exit', () => this.fail());
      // The re-encoding only saves memory: it never keeps a process alive. (After the listeners:
      // a 'message' listener refs the worker again.)
      if (this.waiters.length === 0) worker.unref();
      this.worker = worker;
    } catch {
      this.fail();
    }
    return this.worker;
  }

  private receive(reply: RecodeBatch): void {
    const chunks = this.inFlight.get(reply.id);
    if (chunks === undefined) return;
    this.inFlight.delete(reply.id);
    let start = 0;
    for (let i = 0; i < chunks.length; i++) {
      const end = reply.ends[i]!;
      // In place: persistence knows a chunk by its object, and reads either encoding alike. Copied
      // into the arena: the reply's buffer is sized for the XOR chunks.
      if (end > start) chunks[i]!.bytes = this.arena.copy(reply.bytes.subarray(start, end));
      start = end;
    }
    this.finished(this.done + chunks.length);
  }

  /** The worker is gone: everything it had and everything queued is re-encoded here. */
  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    this.worker = null;
    this.finishNow();
  }

  /** Chunks up to `done` (in queue order) have their smallest encoding. */
  private finished(done: number): void {
    this.done = done;
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => {
      if (w.upTo > done) return true;
      w.resolve();
      return false;
    });
    if (this.waiters.length === 0) this.worker?.unref();
  }

  private recodedNow(xor: Uint8Array): Uint8Array {
    return this.arena.copy(this.encoder.recode(xor) ?? xor);
  }
}
