/**
 * Streams the samples of the series matching a selector over a time range, one series block at a
 * time: memory stays bounded by one block whatever the export's size, and the writer's
 * backpressure (an awaited `write`) paces the reads.
 */

import type { Matcher } from '../model/matcher.js';
import type { Queryable } from '../storage/types.js';
import { BLOCK_SAMPLES, exportEncoder } from './encode.js';
import type { TransferFormat } from './formats.js';

export interface ExportRequest {
  readonly format: TransferFormat;
  readonly start: number;
  readonly end: number;
  /** Series matching any of the selectors (each a list of matchers, ANDed). */
  readonly selectors: readonly (readonly Matcher[])[];
}

/** Where encoded text goes; a returned promise is awaited before more is read. */
export type ExportSink = (text: string) => Promise<void> | void;

/** Writes the export to `sink`; resolves to the number of samples written. */
export async function runExport(store: Queryable, req: ExportRequest, sink: ExportSink): Promise<number> {
  const q = store.querier(req.start, req.end);
  try {
    const meta = q.metadata();
    const enc = exportEncoder(req.format, (family) => meta.get(family));
    const ts = new Float64Array(BLOCK_SAMPLES);
    const vs = new Float64Array(BLOCK_SAMPLES);
    let samples = 0;
    await sink(enc.head());
    // Two selectors may match one series: it is written once.
    const seen = req.selectors.length > 1 ? new Set<string>() : null;
    for (const matchers of req.selectors) {
      const set = q.select(matchers, { start: req.start, end: req.end });
      while (set.next()) {
        const series = set.at();
        if (seen !== null) {
          const key = JSON.stringify(series.labels);
          if (seen.has(key)) continue;
          seen.add(key);
        }
        const it = series.iterator();
        let n = 0;
        const more = it.seek(req.start);
        for (let ok = more; ok && it.t() <= req.end; ok = it.next()) {
          ts[n] = it.t();
          vs[n] = it.v();
          if (++n === BLOCK_SAMPLES) {
            await sink(enc.block(series.labels, ts, vs, n));
            samples += n;
            n = 0;
          }
        }
        const err = it.err();
        if (err !== null) throw err;
        if (n > 0) {
          await sink(enc.block(series.labels, ts, vs, n));
          samples += n;
        }
      }
      const err = set.err();
      if (err !== null) throw err;
    }
    await sink(enc.tail({ start: req.start, end: req.end, samples }));
    return samples;
  } finally {
    q.close();
  }
}
