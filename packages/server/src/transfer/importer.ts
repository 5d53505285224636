/**
 * Imports records into storage in bounded batches: each batch goes through the native ingest
 * format's parser (so an import obeys the same validation and limits as a push), then one commit.
 * Bad records are reported with their line and skipped; the good ones are kept.
 */

import { appendBatch, SampleBatch } from '../ingest/batch.js';
import { IngestError } from '../ingest/errors.js';
import { type IngestIssue, parseJsonIngest } from '../ingest/json/parse.js';
import type { IngestLimits } from '../ingest/limits.js';
import { refusedSamplesError } from '../ingest/outcome.js';
import type { Appendable } from '../storage/types.js';
import type { ImportRecord } from './decode.js';

/** Points per commit: large enough to amortise a commit, small enough to bound memory. */
const BATCH_POINTS = 5_000;
/** Errors listed in a summary; the rest are counted. */
const MAX_LISTED_ERRORS = 100;

export interface ImportError {
  /** The line of the body the record started on; null for storage refusals of a batch. */
  readonly line: number | null;
  readonly message: string;
}

/** What an import did, in the original TinyObs' shape plus counts. */
export interface ImportSummary {
  metrics_imported: number;
  errors: ImportError[];
  errors_total: number;
  /** Lines (records) read, bad ones included. */
  records: number;
}

/** Imports every record; never throws for bad records, only for storage failures. */
export async function importAll(
  records: AsyncIterable<ImportRecord>,
  store: Appendable,
  limits: IngestLimits,
): Promise<ImportSummary> {
  const summary: ImportSummary = { metrics_imported: 0, errors: [], errors_total: 0, records: 0 };
  const fail = (line: number | null, message: string) => {
    summary.errors_total++;
    if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ line, message });
  };
  const perBatch = Math.max(1, Math.min(BATCH_POINTS, limits.maxMetricsPerRequest));
  let points: string[] = [];
  let lines: number[] = [];
  const flush = async () => {
    if (points.length === 0) return;
    const parsed = parseBatch(points, lines, limits, fail);
    const result = await appendBatch(store, parsed);
    summary.metrics_imported += result.appended;
    const refused = refusedSamplesError(result);
    if (refused !== null) fail(null, refused.message);
    points = [];
    lines = [];
  };
  for await (const r of records) {
    summary.records++;
    if ('error' in r) {
      fail(r.line, r.error);
      continue;
    }
    for (const p of r.points) {
      points.push(p);
      lines.push(r.line);
      if (points.length >= perBatch) await flush();
    }
  }
  await flush();
  return summary;
}

/**
 * The batch of the valid points. A point that is not even JSON makes the batch's text unparsable:
 * then each point is parsed alone, so only the broken one is lost.
 */
function parseBatch(
  points: readonly string[],
  lines: readonly number[],
  limits: IngestLimits,
  fail: (line: number | null, message: string) => void,
): SampleBatch {
  const now = Date.now();
  const report = (issues: readonly IngestIssue[], line: (i: number) => number) => {
    for (const issue of issues)
      fail(line(issue.index), `${issue.field ? `${issue.field}: ` : ''}${issue.message}`);
  };
  try {
    const { batch, issues } = parseJsonIngest(`{"metrics":[${points.join(',')}]}`, limits, now);
    report(issues, (i) => lines[i]!);
    return batch;
  } catch (err) {
    if (!(err instanceof IngestError)) throw err;
  }
  const all = new SampleBatch();
  points.forEach((p, i) => {
    try {
      const { batch, issues } = parseJsonIngest(`{"metrics":[${p}]}`, limits, now);
      report(issues, () => lines[i]!);
      for (let j = 0; j < batch.length; j++) all.push(batch.labels[j]!, batch.ts[j]!, batch.value(j));
      for (const [metric, meta] of batch.metadata) all.metadata.set(metric, meta);
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      fail(lines[i]!, err.message);
    }
  });
  return all;
}
