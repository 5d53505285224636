/**
 * What a client is told when storage refused some samples of a request. The samples that could be
 * stored are stored either way; the error names how many were refused and why, so that a client
 * neither believes everything arrived nor retries what can never be stored. Shared by every wire
 * format's handler.
 */

import type { CommitResult } from '../storage/types.js';
import { IngestError } from './errors.js';

/** The error for a commit that refused samples, or null when everything was stored. */
export function refusedSamplesError(result: CommitResult): IngestError | null {
  const r = result.rejected;
  if (r.too_many_series) {
    const metrics = (result.limitedMetrics ?? []).join(', ');
    return new IngestError(
      'too_many_series',
      `${r.too_many_series} samples refused: the series limit is reached for ${metrics || 'the database'} ` +
        `(--max-series-per-metric, --max-series); ${result.appended} samples were stored`,
    );
  }
  const parts: string[] = [];
  if (r.too_old) {
    const oldest = result.oldestAccepted;
    const at = oldest !== undefined && Number.isFinite(oldest) ? new Date(oldest).toISOString() : 'unknown';
    parts.push(
      `${r.too_old} too old (before ${at}, the oldest time raw retention still accepts; --retention-raw)`,
    );
  }
  if (r.too_far_future) {
    const limit = result.maxFutureMs ?? 0;
    parts.push(
      `${r.too_far_future} too far in the future (more than ${limit / 1000} s ahead of the server's clock; --max-future)`,
    );
  }
  if (r.duplicate_timestamp)
    parts.push(`${r.duplicate_timestamp} with the timestamp of a stored sample but another value`);
  if (parts.length === 0) return null;
  return new IngestError(
    'bad_request',
    `samples refused: ${parts.join('; ')}; ${result.appended} samples were stored`,
  );
}
