/** `POST /v1/ingest`: the thin HTTP side of the native JSON format. */

import { readBody, sendJson } from '../../api/http.js';
import type { Handler } from '../../api/router.js';
import type { Appendable } from '../../storage/types.js';
import { appendBatch } from '../batch.js';
import { IngestError } from '../errors.js';
import type { IngestLimits } from '../limits.js';
import { refusedSamplesError } from '../outcome.js';
import type { IngestReporter } from '../report.js';
import { parseJsonIngest } from './parse.js';

/** How many point errors a 400 response lists before summarising the rest. */
const MAX_LISTED_ISSUES = 10;

export function jsonIngestHandler(store: Appendable, limits: IngestLimits, report: IngestReporter): Handler {
  return async ({ req, res }) => {
    const body = await readBody(req, {
      maxBytes: limits.maxBodyBytes,
      maxDecompressedBytes: limits.maxDecompressedBytes,
    });
    const { total, batch, issues } = parseJsonIngest(body.toString('utf8'), limits, Date.now());
    const result = await appendBatch(store, batch);
    report('json', result, issues.length);
    const refused = refusedSamplesError(result);
    if (issues.length > 0) {
      // The good points of the request are stored; the client learns which ones were not, and
      // must not retry (4xx), because a retry would not make them valid.
      const listed = issues
        .slice(0, MAX_LISTED_ISSUES)
        .map((i) => `metrics[${i.index}]${i.field ? `.${i.field}` : ''}: ${i.message}`);
      const more = issues.length > MAX_LISTED_ISSUES ? `; and ${issues.length - MAX_LISTED_ISSUES} more` : '';
      const also = refused === null ? '' : `; also ${refused.message}`;
      throw new IngestError(
        'bad_request',
        `${issues.length} of ${total} metrics rejected (${result.appended} stored): ${listed.join('; ')}${more}${also}`,
      );
    }
    if (refused !== null) throw refused;
    // Every point is stored (points repeating a series and timestamp were merged, last one wins).
    sendJson(res, 200, { status: 'success', count: total });
  };
}
