/**
 * The writer process of the crash test: opens the database in `dir` and commits batches forever,
 * printing `ack <k>` after batch k's commit resolved (the moment a server would answer 2xx). The
 * test kills it with SIGKILL at a random moment.
 *
 * Usage: node --import tsx crash-writer.ts <dir> <base time ms> <series> <fsync policy>
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { labelsFromRecord } from '../../src/model/labels.js';
import { DB } from '../../src/tsdb/db.js';
import type { FsyncPolicy } from '../../src/tsdb/wal/wal.js';
import { crashLabels, crashSamples } from './crash-check.js';

const [dir, baseArg, seriesArg, fsync] = process.argv.slice(2);
const base = Number(baseArg);
const nSeries = Number(seriesArg);
// Persist often, so that kills also land during persistence and log truncation.
const db = await DB.open({
  dir: dir!,
  walFsync: fsync as FsyncPolicy,
  persistIntervalMs: 100,
  warn: () => {},
});
const labels = Array.from({ length: nSeries }, (_, i) => labelsFromRecord(crashLabels(base, i)));
const refs = new Array<number>(nSeries).fill(0);
for (let k = 0; ; k++) {
  const app = db.appender();
  for (let i = 0; i < nSeries; i++)
    for (const [t, v] of crashSamples(base, k, i)) refs[i] = app.append(refs[i]!, labels[i]!, t, v);
  await app.commit();
  process.stdout.write(`ack ${k}\n`);
  // About a thousand batches a second: enough to be killed mid-write, few enough that 50 rounds
  // of data stay small.
  await sleep(1);
}
