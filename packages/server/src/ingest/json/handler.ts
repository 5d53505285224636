/**
 * The native JSON format as an {@link IngestProtocol} (`POST /v1/ingest`). A partly bad request
 * keeps its valid points: they are stored, and the answer is a 400 listing the refused ones by
 * index and field (a retry would not make them valid).
 */

import { commitBatch, summaryError } from '../commit.js';
import type { IngestProtocol } from '../protocol.js';
import { DeltaState } from '../series/delta.js';
import { decodeUtf8 } from '../text.js';
import { parseJsonIngest } from './parse.js';

/** The protocol, with the running totals of the Go SDK's delta histograms (ingest/deltahist/). */
export const jsonProtocol = (histograms = new DeltaState()): IngestProtocol => ({
  name: 'json',
  contentTypes: ['application/json'],
  async handle(req, ctx) {
    const batch = parseJsonIngest(decodeUtf8(req.body), ctx.limits, req.now, histograms);
    const summary = await commitBatch(batch, ctx, 'json');
    const err = summaryError(summary, ctx.limits, 'metrics');
    if (err !== null) throw err;
    // Every point is stored (points repeating a series and timestamp were merged, last one wins).
    return {
      body: JSON.stringify({ status: 'success', count: summary.total }),
      contentType: 'application/json',
    };
  },
});
