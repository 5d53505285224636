/**
 * The native JSON format as an {@link IngestProtocol} (`POST /v1/ingest`). A partly bad request
 * keeps its valid points: they are stored, and the answer is a 400 listing the refused ones by
 * index and field (a retry would not make them valid).
 *
 * Bodies in the shape the SDKs send take the fast scanner (scan.ts) with a cache of series per
 * database; anything else takes the reference parser (parse.ts). Both apply the same rules.
 * Histogram points of a body that does not declare `"temporality": "cumulative"` (the original Go
 * SDK's deltas) always take the reference parser, which turns them cumulative.
 */

import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { SampleBatch } from '../batch.js';
import { commitBatch, summaryError } from '../commit.js';
import type { IngestContext, IngestProtocol } from '../protocol.js';
import { DeltaState } from '../series/delta.js';
import { perStore } from '../series/slot.js';
import { requireUtf8 } from '../text.js';
import { parseJsonIngest } from './parse.js';
import { scanJsonIngest } from './scan.js';
import { SeriesCache } from './series_cache.js';

/**
 * From this many samples on, a scanned batch lets the event loop turn before its commit. Its scan
 * and its commit each hold the event loop for milliseconds; in between, the event loop reads the
 * body of the next request and hands it to the thread pool to decompress, which then overlaps
 * with this commit instead of leaving the event loop idle after it (two clients pushing batches
 * of 10 000 points: the next body waited for the whole scan and commit of this one, then the
 * event loop waited for its decompression). It takes two turns: the scan runs in a poll phase
 * (the callback of this body's decompression), and the first `setImmediate` resolves in that same
 * loop iteration, before the event loop polls sockets again. Not after the reference parser: its
 * running totals of delta histograms must be committed in the order they were summed.
 */
const YIELD_SAMPLES = 1000;

/** Series caches per database: refs never cross from one store to another. */
const cacheOf = perStore(() => new SeriesCache());

/** The protocol, with the running totals of the Go SDK's delta histograms (ingest/deltahist/). */
export const jsonProtocol = (histograms = new DeltaState()): IngestProtocol => ({
  name: 'json',
  contentTypes: ['application/json'],
  async handle(req, ctx) {
    const parsed = parse(req.body, req.now, ctx, histograms);
    if (parsed.scanned && parsed.batch.length >= YIELD_SAMPLES) {
      await yieldToIo();
      await yieldToIo(); // (the first one polled nothing: see YIELD_SAMPLES)
    }
    const summary = await commitBatch(parsed.batch, ctx, 'json');
    parsed.remember();
    const err = summaryError(summary, ctx.limits, 'metrics');
    if (err !== null) throw err;
    // Every point is stored (points repeating a series and timestamp were merged, last one wins).
    return {
      body: JSON.stringify({ status: 'success', count: summary.total }),
      contentType: 'application/json',
    };
  },
});

/** The body as a batch, and what to do once it is committed. */
function parse(
  body: Buffer,
  now: number,
  ctx: IngestContext,
  histograms: DeltaState,
): { batch: SampleBatch; scanned: boolean; remember(): void } {
  // Checked first: the scanner reads bytes and relies on them being UTF-8.
  requireUtf8(body);
  const cache = cacheOf(ctx.appendable);
  const scanned = scanJsonIngest(body, ctx.limits, now, cache);
  if (scanned !== null)
    return { batch: scanned.batch, scanned: true, remember: () => scanned.rememberRefs() };
  return {
    batch: parseJsonIngest(body.toString('utf8'), ctx.limits, now, histograms),
    scanned: false,
    remember() {},
  };
}
