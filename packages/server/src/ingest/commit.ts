/**
 * Storing a {@link SampleBatch} and telling the client what happened, the same for every wire
 * format: one appender per request (durable and visible together), one report to self-metrics,
 * and the errors for points that were refused. The samples that could be stored are stored either
 * way; an error names how many were refused and why, so that a client neither believes everything
 * arrived nor retries what can never be stored.
 */

import type { Appender, CommitResult } from '../storage/types.js';
import type { IngestIssue, SampleBatch } from './batch.js';
import { IngestError } from './errors.js';
import type { IngestLimits } from './limits.js';
import type { IngestContext } from './protocol.js';

/** What a committed request did. */
export interface IngestSummary {
  /** Points in the request, valid or not. */
  readonly total: number;
  /** Points refused before storage (invalid), with where and why. */
  readonly issues: readonly IngestIssue[];
  /** What storage did with the valid ones. */
  readonly result: CommitResult;
}

/** How many refused points an error message lists before summarising the rest. */
const MAX_LISTED_ISSUES = 10;

/**
 * Appends the batch as one unit, reports it (protocol name, stored, refused) and resolves once it
 * is durable. Keeps the storage refs of the batch's series in `batch.refs` for callers that cache
 * series across requests.
 */
export async function commitBatch(
  batch: SampleBatch,
  ctx: IngestContext,
  protocol: string,
): Promise<IngestSummary> {
  const app = ctx.appendable.appender();
  try {
    appendSamples(batch, app);
    for (const [metric, meta] of batch.metadata) app.setMetadata(metric, meta);
  } catch (err) {
    app.rollback();
    throw err;
  }
  const result = await app.commit();
  ctx.report(protocol, result, batch.issues.length);
  return { total: batch.total, issues: batch.issues, result };
}

/**
 * Hands every sample to the appender, keeping the refs it gives in `batch.refs`. A function of
 * its own because V8 compiles a hot loop while it runs (on-stack replacement) without the code
 * after it: inside `commitBatch`, that code had never run when the loop was compiled, and in a
 * fresh server about a hundred requests in a row deoptimized there before the whole function was
 * compiled.
 */
function appendSamples(batch: SampleBatch, app: Appender): void {
  const { refs } = batch;
  for (let i = 0; i < batch.length; i++) {
    const s = batch.seriesOf(i);
    refs[s] = app.append(refs[s]!, batch.labelsOf(s), batch.timeOf(i), batch.valueOf(i));
  }
}

/** The error for a commit whose samples storage refused in part, or null when it stored all. */
export function refusedSamplesError(result: CommitResult, limits: IngestLimits): IngestError | null {
  const r = result.rejected;
  if (r.too_many_series) {
    const metrics = (result.limitedMetrics ?? []).join(', ');
    return new IngestError(
      'too_many_series',
      `${r.too_many_series} samples refused: the series limit is reached for ${metrics || 'the database'} ` +
        `(--max-series-per-metric=${limits.maxSeriesPerMetric}, --max-series=${limits.maxSeries}); ` +
        `${result.appended} samples were stored, existing series keep working`,
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

/**
 * The error for a request in which some points were invalid (400, after the valid ones were
 * stored), or in which storage refused some (see {@link refusedSamplesError}); null when every
 * point is stored. `noun` names the request's points (`metrics`, `lines`…).
 */
export function summaryError(summary: IngestSummary, limits: IngestLimits, noun: string): IngestError | null {
  const refused = refusedSamplesError(summary.result, limits);
  const { issues } = summary;
  if (issues.length === 0) return refused;
  const listed = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => `${i.where}${i.field ? `.${i.field}` : ''}: ${i.message}`);
  const more = issues.length > MAX_LISTED_ISSUES ? `; and ${issues.length - MAX_LISTED_ISSUES} more` : '';
  const also = refused === null ? '' : `; also ${refused.message}`;
  // 4xx: a retry would not make these points valid.
  return new IngestError(
    'bad_request',
    `${issues.length} of ${summary.total} ${noun} rejected (${summary.result.appended} stored): ${listed.join('; ')}${more}${also}`,
  );
}
