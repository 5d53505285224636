/**
 * The forwarding worker thread (started by forwarder.ts; messages in protocol.ts): one
 * {@link TargetQueue} per target, reading the log, encoding, compressing and sending, with
 * labels from {@link WorkerLabels}. It owns the targets' positions; the main thread only mirrors
 * them through the `state` messages posted here (for `walFloor`, `/v1/stats` and `/metrics`).
 */

import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Logger } from '../log.js';
import { lowerThreadPriority } from '../threads.js';
import { listSegments, segmentPath } from '../tsdb/wal/segment.js';
import type { FromWorker, TargetState, ToWorker, WorkerInit } from './protocol.js';
import { targetFromWire } from './protocol.js';
import { TargetQueue } from './target.js';
import { WorkerLabels } from './worker_labels.js';

/** How often the maximum lag is checked (and on the main thread's `check_lag`). */
const LAG_CHECK_MS = 10_000;
/** How often the state is posted when it changed: the mirror is at most this old. */
const STATE_MS = 100;
/**
 * The worker's nice value: the lowest priority. On a machine with no idle core, forwarding then
 * waits for ingest (the log keeps what it has not sent, up to the maximum lag) instead of
 * slowing it down; with a core to spare it runs as fast as before.
 */
const NICE = 19;

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);

/** Logs through the main thread's logger (debug is dropped: the forwarder never logs at it). */
const log: Logger = {
  debug: () => {},
  info: (msg, fields) => post({ type: 'log', level: 'info', msg, fields }),
  warn: (msg, fields) => post({ type: 'log', level: 'warn', msg, fields }),
  error: (msg, fields) => post({ type: 'log', level: 'error', msg, fields }),
};

lowerThreadPriority(NICE);
const labels = new WorkerLabels(init.labelsPort, init.replied);
const queues = init.targets.map(
  (t, i) =>
    new TargetQueue(targetFromWire(t), {
      dataDir: init.dataDir,
      walDir: init.walDir,
      start: init.positions[i]!,
      labelsOf: labels.labelsOf,
      metadataOf: labels.metadataOf,
      record: (payload) => labels.record(payload),
      log,
    }),
);

let posted = '';
/** Posts the targets' state when it changed since the last post. */
function postState(): void {
  const targets: TargetState[] = queues.map((q) => q.state());
  const text = JSON.stringify(targets);
  if (text === posted) return;
  posted = text;
  post({ type: 'state', targets });
}

/** Gives up the segments last written longer ago than the maximum lag (see TargetQueue.dropOlderThan). */
function enforceMaxLag(): void {
  const segments = listSegments(init.walDir);
  const current = segments[segments.length - 1] ?? 0; // the newest is the one being written
  const cutoff = Date.now() - init.maxLagMs;
  const isOld = (s: number): boolean => {
    try {
      return statSync(segmentPath(init.walDir, s)).mtimeMs < cutoff;
    } catch {
      return true; // already gone
    }
  };
  let dropped = 0;
  for (const q of queues) dropped += q.dropOlderThan(isOld, current);
  if (dropped > 0) postState();
}

const stateTimer = setInterval(postState, STATE_MS);
const lagTimer = setInterval(enforceMaxLag, LAG_CHECK_MS);

port.on('message', (m: ToWorker) => {
  if (m.type === 'check_lag') enforceMaxLag();
  else if (m.type === 'stop') {
    clearInterval(stateTimer);
    clearInterval(lagTimer);
    void Promise.all(queues.map((q) => q.stop())).then(() => {
      postState();
      post({ type: 'stopped' });
      port.close();
      init.labelsPort.close();
    });
  }
});

for (const q of queues) q.start();
postState();
