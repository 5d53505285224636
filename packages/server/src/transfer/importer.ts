/**
 * Imports records into storage in bounded batches: each batch goes through the native ingest
 * format's parser (so an import obeys the same validation and limits as a push), then one commit.
 * Bad records are reported with their line and skipped; the good ones are kept.
 */

import type { SampleBatch } from '../ingest/batch.js';
import { commitBatch, refusedSamplesError } from '../ingest/commit.js';
import { IngestError } from '../ingest/errors.js';
import { parseJsonIngest } from '../ingest/json/parse.js';
import type { IngestContext } from '../ingest/protocol.js';
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
  /** Records (lines or JSON entries) read, bad ones included. */
  records: number;
}

type Fail = (line: number | null, message: string) => void;

/** Imports every record; never throws for bad records, only for storage failures. */
export async function importAll(
  records: AsyncIterable<ImportRecord>,
  ctx: IngestContext,
): Promise<ImportSummary> {
  const summary: ImportSummary = { metrics_imported: 0, errors: [], errors_total: 0, records: 0 };
  const fail: Fail = (line, message) => {
    summary.errors_total++;
    if (summary.errors.length < MAX_LISTED_ERRORS) summary.errors.push({ line, message });
  };
  const perBatch = Math.max(1, Math.min(BATCH_POINTS, ctx.limits.maxSamplesPerRequest));
  let points: string[] = [];
  let lines: number[] = [];
  const flush = async () => {
    if (points.length === 0) return;
    const batch = parseBatch(points, lines, ctx, fail);
    const { result } = await commitBatch(batch, ctx, 'import');
    summary.metrics_imported += result.appended;
    const refused = refusedSamplesError(result, ctx.limits);
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
 * The batch of the valid points, their refusals reported by line. A point that is not even JSON
 * makes the batch's text unparsable: then each point is parsed alone, so only the broken one is
 * lost.
 */
function parseBatch(
  points: readonly string[],
  lines: readonly number[],
  ctx: IngestContext,
  fail: Fail,
): SampleBatch {
  const now = Date.now();
  const report = (batch: SampleBatch, line: (i: number) => number) => {
    for (const issue of batch.issues) {
      const i = Number(/^metrics\[(\d+)\]$/.exec(issue.where)?.[1] ?? 0);
      fail(line(i), `${issue.field ? `${issue.field}: ` : ''}${issue.message}`);
    }
  };
  try {
    const batch = parseJsonIngest(`{"metrics":[${points.join(',')}]}`, ctx.limits, now);
    report(batch, (i) => lines[i]!);
    return batch;
  } catch (err) {
    if (!(err instanceof IngestError)) throw err;
  }
  const good: string[] = [];
  const goodLines: number[] = [];
  points.forEach((p, i) => {
    try {
      JSON.parse(p);
      good.push(p);
      goodLines.push(lines[i]!);
    } catch (err) {
      fail(lines[i]!, `invalid JSON: ${(err as Error).message}`);
    }
  });
  const batch = parseJsonIngest(`{"metrics":[${good.join(',')}]}`, ctx.limits, now);
  report(batch, (i) => goodLines[i]!);
  return batch;
}
