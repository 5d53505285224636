/**
 * The thread that re-encodes cut chunks for the {@link Recoder} (recoder.ts): it receives XOR
 * chunks one after the other in one buffer and answers with their smallest encodings the same way.
 * A chunk it cannot re-encode (corrupt: never from a head) comes back empty and stays XOR.
 */

import { parentPort } from 'node:worker_threads';
import { lowerThreadPriority } from '../../threads.js';
import { ChunkEncoder } from '../chunkenc/index.js';
import type { RecodeBatch } from './recoder.js';

/**
 * Below the event loop's priority (which ingest is bound by) but not at the bottom: on a busy
 * machine the queue still drains, instead of filling up and sending cuts back to the event loop.
 */
const NICE = 5;

lowerThreadPriority(NICE);
const encoder = new ChunkEncoder();
const port = parentPort;
if (port === null) throw new Error('recode_worker.ts runs as a worker thread');

port.on('message', (batch: RecodeBatch) => {
  const out: Uint8Array[] = [];
  let size = 0;
  let start = 0;
  for (const end of batch.ends) {
    const recoded = encoder.recode(batch.bytes.subarray(start, end)) ?? new Uint8Array(0);
    out.push(recoded);
    size += recoded.length;
    start = end;
  }
  const bytes = new ArrayBuffer(size);
  const ends = new ArrayBuffer(out.length * 4);
  const reply: RecodeBatch = { id: batch.id, bytes: new Uint8Array(bytes), ends: new Uint32Array(ends) };
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    reply.bytes.set(out[i]!, at);
    at += out[i]!.length;
    reply.ends[i] = at;
  }
  port.postMessage(reply, [bytes, ends]);
});
