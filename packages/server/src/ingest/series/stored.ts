/**
 * The newest stored sample of a series, for ingest state that must survive a restart: running
 * totals that the server builds from deltas (OTLP delta sums and histograms, StatsD counters and
 * histograms, gauges adjusted with `+`/`-`). Such a total is exactly the value last stored for its
 * series, so instead of a second store that could disagree with the database after a crash, the
 * state is rebuilt from the database itself the first time a series is seen after a start: what
 * was acknowledged is in the write-ahead log, and nothing else counts.
 */

import { type Labels, labelsKey } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import { isStaleNaN } from '../../model/sample.js';
import type { Queryable } from '../../storage/types.js';

/** A stored sample. */
export interface StoredSample {
  readonly t: number;
  readonly v: number;
}

/**
 * The newest sample of the series with exactly `labels` (sorted), or undefined when it has none
 * within the look-back or its newest sample is a staleness marker (the series ended: a total
 * starts again).
 */
export type LastStored = (labels: Labels) => StoredSample | undefined;

/** Most recent stretch read first: a series written in the last minutes costs a few samples. */
const RECENT_MS = 15 * 60_000;
/** How far back a series is looked for; one idle for longer starts its total again. */
const LOOK_BACK_MS = 24 * 3_600_000;

/** {@link LastStored} over a {@link Queryable} (the database). `clock` is for tests. */
export function lastStoredIn(store: Queryable, clock: () => number = Date.now): LastStored {
  return (labels) => {
    const now = clock();
    const recent = newest(store, labels, now - RECENT_MS, Number.MAX_SAFE_INTEGER);
    const s = recent ?? newest(store, labels, now - LOOK_BACK_MS, now - RECENT_MS - 1);
    return s === undefined || s.stale ? undefined : s;
  };
}

function newest(
  store: Queryable,
  labels: Labels,
  mint: number,
  maxt: number,
): (StoredSample & { stale: boolean }) | undefined {
  const q = store.querier(mint, maxt);
  try {
    // Equality on every label finds the series and those with more labels; keep the exact one.
    const set = q.select(labels.map((l) => newMatcher('=', l.name, l.value)));
    const key = labelsKey(labels);
    while (set.next()) {
      const series = set.at();
      if (series.labels.length !== labels.length || labelsKey(series.labels) !== key) continue;
      const it = series.iterator();
      let found: (StoredSample & { stale: boolean }) | undefined;
      // The marker is recognised by its bits as read, before the value is copied anywhere.
      while (it.next()) found = { t: it.t(), v: it.v(), stale: isStaleNaN(it.v()) };
      return found;
    }
    return undefined;
  } finally {
    q.close();
  }
}
