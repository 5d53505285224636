/**
 * Starting a worker thread on a module of this package. The server runs the built `.js` files;
 * tests run the TypeScript sources through tsx, whose module hooks a Node 20 worker does not
 * inherit, so from source the worker first registers them through tsx's API.
 */

import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker on the module `name` (without extension) beside the module `from` (its
 * `import.meta.url`), in the same flavour as `from`: `.js` when built, `.ts` from source.
 */
export function startWorker(from: string, name: string, options: WorkerOptions = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL(`./${name}.ts`, from).href);
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); });`, {
    ...options,
    eval: true,
  });
}

/**
 * Gives the calling thread the nice value `nice` (Linux: a thread's id is a pid for
 * setpriority(2), so only this thread changes); elsewhere it keeps the process' priority. For
 * background threads whose work can wait: on a machine with no idle core they then yield to the
 * event loop, which ingest is bound by, instead of slowing it down.
 */
export function lowerThreadPriority(nice: number): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch {
    // no /proc (not Linux): the thread runs at the process' priority
  }
}

let detached = false;

/**
 * Detaches one empty ArrayBuffer, once per process; call it before any code is hot. The first
 * buffer ever detached (transferred to a thread, as the recoder's batches are) breaks an
 * assumption V8 compiles every typed array access with, and V8 then throws away all optimized
 * code that has one, at once. Under a steady push that happened at the first chunk cut: about 80
 * functions of the scan and the commit were deoptimized together and recompiled (~0.8 s of
 * compilation) while ingest ran at half speed for ~40 requests (`--trace-deopt`).
 */
export function detachOneBuffer(): void {
  if (detached) return;
  detached = true;
  const b = new ArrayBuffer(0);
  structuredClone(b, { transfer: [b] });
}
