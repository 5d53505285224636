/**
 * Rebuilding the in-memory state at open: the catalog and metadata from the chunk store, the
 * open chunks from its head snapshot, then the write-ahead log from where persistence left it.
 */

import type { Head } from './head/head.js';
import { ChunkSeriesIterator } from './head/iterator.js';
import type { ChunkStore } from './persist/store.js';
import { decodeRecord } from './record/record.js';
import { replayWal, type WalReplayReport } from './wal/reader.js';

export function restoreHead(
  head: Head,
  store: ChunkStore,
  walDir: string,
  walKeepFrom: number,
): WalReplayReport {
  store.dropUncommitted();
  store.loadCatalog((ref, labels, mint, maxt) => {
    const s = head.restore(ref, labels);
    s.cataloged = true;
    if (mint !== null && maxt !== null) {
      s.diskMinT = mint;
      s.diskMaxT = maxt;
      if (maxt > head.maxTime) head.maxTime = maxt;
    }
  });
  for (const [metric, meta] of store.loadMetadata()) head.meta.set(metric, meta);
  // The snapshot of a series may hold overlapping chunks (open and out-of-order): the iterator
  // merges them, and they are stored again in time order.
  const it = new ChunkSeriesIterator();
  store.loadHead((ref, chunks) => {
    if (head.seriesByRef(ref) === undefined) return;
    it.reset(chunks, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    while (it.next()) head.store(ref, it.t(), it.v());
  });
  return replayWal(
    walDir,
    store.getMeta('wal_start') ?? 0,
    (payload) =>
      decodeRecord(payload, {
        series: (entries) => {
          for (const e of entries) head.restore(e.ref, e.labels);
        },
        sample: (ref, t, v) => {
          if (head.seriesByRef(ref) !== undefined) head.store(ref, t, v);
        },
        metadata: (entries) => {
          for (const [metric, meta] of entries) head.meta.set(metric, meta);
        },
      }),
    walKeepFrom,
  );
}
