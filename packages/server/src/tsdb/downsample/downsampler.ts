/**
 * Builds the 5m and 1h tiers in the background. Each tier advances window by window (6 h of 5m
 * buckets, 3 days of 1h buckets, aligned to multiples of the window since the epoch); a window is
 * aggregated only once all of its raw data is final (older than the head accepts, see
 * `Head.minValidTime`), its rows and the tier's progress mark are written in one transaction, and
 * a rerun of a window replaces its rows with the same ones. So the tiers are idempotent, and after
 * a downtime the next run resumes from the stored mark and catches up window by window; raw
 * retention never deletes data before both marks (`persist/retention.ts`).
 */

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ChunkEncoder } from '../chunkenc/index.js';
import type { Head } from '../head/head.js';
import { ChunkSeriesIterator } from '../head/iterator.js';
import type { MemSeries } from '../head/series.js';
import { DOWNSAMPLE_DONE_KEY, FLOOR_KEY } from '../persist/retention.js';
import { type ChunkRow, type ChunkStore, ROW_MAX_SPAN_MS } from '../persist/store.js';
import { Buckets, foldRows } from './buckets.js';

export type DownTier = '5m' | '1h';

/** Bucket width per tier. */
export const TIER_STEP_MS: Readonly<Record<DownTier, number>> = { '5m': 300_000, '1h': 3_600_000 };

/** Series aggregated between two yields to the event loop. */
const SLICE = 256;

export class Downsampler {
  private readonly enc = new ChunkEncoder();
  private readonly it = new ChunkSeriesIterator();
  private running = false;

  constructor(
    private readonly head: Head,
    private readonly store: ChunkStore,
    private readonly isClosed: () => boolean,
  ) {}

  /** Aggregates every final window not done yet. Returns the number of windows written. */
  async run(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const steps = this.steps();
      let r = steps.next();
      while (!r.done) {
        await yieldToLoop();
        if (this.isClosed()) return 0;
        r = steps.next();
      }
      return r.value;
    } finally {
      this.running = false;
    }
  }

  /**
   * {@link run} as steps (a yield every {@link SLICE} series). With `upTo`, also the windows
   * before `upTo` that are not final yet: the size budget must delete raw (or 5m) data before its
   * retention, and builds the tiers over it first, so that the data is degraded, not lost. Those
   * windows are made final by raising the head's floor to their end first (persisted as
   * `FLOOR_KEY`): the head then refuses samples before it (`too_old`), so no sample can land in
   * a window after it is aggregated. Windows after the newest sample's are never forced.
   */
  *steps(upTo = Number.NEGATIVE_INFINITY): Generator<void, number, void> {
    let windows = 0;
    const minValid = this.head.minValidTime();
    // Never past the last whole window before the newest sample: the floor must not refuse
    // current data.
    const forced = (tier: DownTier) => {
      const w = ROW_MAX_SPAN_MS[tier];
      return Math.min(Math.ceil(upTo / w) * w, Math.floor(Math.min(this.head.maxTime, Date.now()) / w) * w);
    };
    if (forced('5m') > minValid) {
      this.head.floor = Math.max(this.head.floor, forced('5m'));
      this.store.setMeta(FLOOR_KEY, this.head.floor);
    }
    for (const tier of ['5m', '1h'] as DownTier[]) {
      const window = ROW_MAX_SPAN_MS[tier];
      const key = DOWNSAMPLE_DONE_KEY[tier];
      let limit = Math.max(this.head.minValidTime(), forced(tier));
      if (tier === '1h') limit = Math.min(limit, this.store.getMeta(DOWNSAMPLE_DONE_KEY['5m']) ?? limit);
      // Progress is read again for each window: the size budget's forced run may have gone ahead.
      const done = () => this.store.getMeta(key) ?? this.firstWindow(window);
      for (let ws = done(); ws + window <= limit && !this.isClosed(); ws = Math.max(ws + window, done())) {
        yield* this.window(tier, ws, ws + window);
        windows++;
      }
    }
    return windows;
  }

  /** The start of the window holding the oldest sample (+Infinity when there is none). */
  private firstWindow(window: number): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const s of this.head.allSeries()) oldest = Math.min(oldest, s.diskMinT, memMinTime(s));
    return Number.isFinite(oldest) ? Math.floor(oldest / window) * window : Number.POSITIVE_INFINITY;
  }

  private *window(tier: DownTier, ws: number, we: number): Generator<void, void, void> {
    const step = TIER_STEP_MS[tier];
    const lookback = ROW_MAX_SPAN_MS[tier];
    const series: MemSeries[] = [];
    for (const s of this.head.allSeries()) if (s.overlaps(ws - lookback, we - 1)) series.push(s);
    const rows: ChunkRow[] = [];
    const b = new Buckets(step);
    for (let i = 0; i < series.length; i++) {
      if (i > 0 && i % SLICE === 0) {
        yield;
        if (this.isClosed()) return;
      }
      const s = series[i]!;
      b.reset();
      if (tier === '5m') {
        // Raw samples from one window back, so the first bucket's increase sees its predecessor.
        const chunks =
          s.diskMinT <= we - 1 && s.diskMaxT >= ws - lookback
            ? this.store.chunks(s.ref, ws - lookback, we - 1)
            : [];
        s.memChunks(ws - lookback, we - 1, chunks);
        const it = this.it.reset(chunks, ws - lookback, we - 1);
        while (it.next()) b.addRaw(it.t(), it.v(), ws);
      } else {
        foldRows(this.store.rows('5m', s.ref, ws, we - 1), ws, we, b);
      }
      if (b.n > 0)
        rows.push({ series: s.ref, mint: ws, maxt: we - 1, samples: b.n, data: b.encode(this.enc) });
    }
    // A run that went ahead meanwhile (the budget's, which may then have deleted raw data this
    // one read) wrote this window already: keep its rows.
    if ((this.store.getMeta(DOWNSAMPLE_DONE_KEY[tier]) ?? Number.NEGATIVE_INFINITY) >= we) return;
    // seq 0: a rerun of the window replaces the same (series, mint, 0) rows.
    this.store.commitTier(tier, 0, rows, DOWNSAMPLE_DONE_KEY[tier], we);
  }
}

/** Oldest timestamp a series holds in memory (+Infinity when none). */
export function memMinTime(s: MemSeries): number {
  let m = Number.POSITIVE_INFINITY;
  if (s.openCount() > 0) m = s.openMinTime();
  if (s.oooN > 0) m = Math.min(m, s.oooT![0]!);
  if (s.closed !== null) for (const c of s.closed) m = Math.min(m, c.mint);
  return m;
}
