/**
 * The thread that re-encodes cut chunks for the {@link Recoder} (recoder.ts): it receives XOR
 * chunks one after the other in one buffer and answers with their smallest encodings in that
 * same buffer (a chunk's smallest encoding is never longer than its XOR bytes, so each is written
 * where it, or an earlier chunk, was read). The buffer was allocated by the main thread: memory
 * allocated here would stay in this thread's malloc arena once the main thread frees it, which
 * cost ~1.5 KiB of RSS per series. A chunk it cannot re-encode (corrupt: never from a head) comes
 * back empty and stays XOR.
 */

import { parentPort } from 'node:worker_threads';
import { detachOneBuffer, lowerThreadPriority } from '../../threads.js';
import { ChunkEncoder } from '../chunkenc/index.js';
import type { RecodeBatch } from './recoder.js';

/**
 * Below the event loop's priority (which ingest is bound by) but not at the bottom: on a busy
 * machine the queue still drains, instead of filling up and sending cuts back to the event loop.
 */
const NICE = 5;

lowerThreadPriority(NICE);
// Answers go back by transfer: the first one would deoptimize this thread's encoders (threads.ts).
detachOneBuffer();
const encoder = new ChunkEncoder();
const port = parentPort;
if (port === null) throw new Error('recode_worker.ts runs as a worker thread');

port.on('message', (batch: RecodeBatch) => {
  const { bytes, ends } = batch;
  let read = 0;
  let write = 0;
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]!;
    const recoded = encoder.recode(bytes.subarray(read, end));
    // Never longer than the input (the smallest encoding is at most the XOR one), so this write
    // ends at or before `end`: nothing unread is overwritten.
    if (recoded !== null && recoded.length <= end - read) {
      bytes.set(recoded, write);
      write += recoded.length;
    }
    read = end;
    ends[i] = write;
  }
  port.postMessage(batch, [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
});
