/**
 * `tinyobs import`: sends a file to `POST /v1/import` of a running server in chunks of records
 * (lines, or entries of a JSON document). After each acknowledged chunk the count of records sent
 * is kept in `FILE.import-progress`, so an interrupted import resumes after the last chunk the
 * server acknowledged; a chunk sent twice is harmless (a sample with the same time and value is
 * a no-op).
 */

import {
  createReadStream,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { importRecords } from '../decode.js';
import { parseFormat, type TransferFormat } from '../formats.js';
import { numberedLines } from '../lines.js';
import { authHeaders, flag, parseArgs, progress, UsageError } from './args.js';

export const IMPORT_USAGE = `Usage: tinyobs import FILE [--url http://127.0.0.1:8080] [--format jsonl|csv|json|openmetrics]
                      [--chunk 5000] [--key KEY]
The format defaults to the file's extension (.jsonl, .csv, .json, .txt/.om for OpenMetrics).
An interrupted import resumes when run again on the same, unchanged file.`;

interface Chunk {
  readonly body: string;
  /** Records in the chunk, and lines of its body that are repeated headers (OpenMetrics). */
  readonly records: number;
  readonly firstLine: number;
  readonly headerLines: number;
}

function formatOf(file: string, named: string | undefined): TransferFormat {
  if (named !== undefined) return parseFormat(named);
  const ext = file.slice(file.lastIndexOf('.') + 1).toLowerCase();
  const byExt: Record<string, TransferFormat> = {
    jsonl: 'jsonl',
    ndjson: 'jsonl',
    csv: 'csv',
    json: 'json',
    txt: 'openmetrics',
    om: 'openmetrics',
    prom: 'openmetrics',
  };
  const f = byExt[ext];
  if (f === undefined) throw new UsageError(`cannot tell the format of ${file}: give --format`);
  return f;
}

/** The file's records, grouped into chunks to send. */
async function* chunks(file: string, format: TransferFormat, size: number): AsyncGenerator<Chunk> {
  const text = createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>;
  if (format === 'json') {
    let entries: string[] = [];
    let firstLine = 0;
    for await (const r of importRecords('json', text)) {
      if ('error' in r) throw new Error(`cannot read ${file}: line ${r.line}: ${r.error}`);
      if (entries.length === 0) firstLine = r.line;
      entries.push(r.points[0]!);
      if (entries.length === size) {
        yield { body: `{"metrics":[${entries.join(',\n')}]}`, records: size, firstLine, headerLines: 0 };
        entries = [];
      }
    }
    if (entries.length > 0)
      yield {
        body: `{"metrics":[${entries.join(',\n')}]}`,
        records: entries.length,
        firstLine,
        headerLines: 0,
      };
    return;
  }
  // OpenMetrics: each chunk repeats the TYPE/HELP/UNIT lines of the family it starts in.
  let family: string[] = [];
  let lines: string[] = [];
  let header: string[] = [];
  let firstLine = 1;
  for await (const l of numberedLines(text)) {
    if (l.text === null) throw new Error(`cannot read ${file}: line ${l.no} is too long`);
    if (lines.length === 0) {
      firstLine = l.no;
      header = format === 'openmetrics' ? family : [];
    }
    if (format === 'openmetrics' && /^# (TYPE|HELP|UNIT) /.test(l.text)) {
      family = l.text.startsWith('# TYPE') ? [l.text] : [...family, l.text];
    }
    lines.push(l.text);
    if (lines.length === size) {
      yield { body: [...header, ...lines].join('\n'), records: size, firstLine, headerLines: header.length };
      lines = [];
    }
  }
  if (lines.length > 0)
    yield {
      body: [...header, ...lines].join('\n'),
      records: lines.length,
      firstLine,
      headerLines: header.length,
    };
}

export async function importCommand(args: string[]): Promise<number> {
  const a = parseArgs(args, ['url', 'format', 'chunk', 'key']);
  const file = a.positional[0];
  if (file === undefined || a.positional.length > 1) throw new UsageError('give exactly one FILE to import');
  const format = formatOf(file, a.flags.get('format')?.at(-1));
  const url = flag(a, 'url', process.env.TINYOBS_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const size = Number(flag(a, 'chunk', '5000'));
  if (!Number.isInteger(size) || size < 1) throw new UsageError('invalid --chunk: a positive integer');

  const st = statSync(file);
  // The server is not part of the identity: a resumed import may go through another address.
  const identity = JSON.stringify({ format, size: st.size, mtime: st.mtimeMs });
  const stateFile = `${file}.import-progress`;
  let done = 0;
  if (existsSync(stateFile)) {
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { identity: string; records: number };
    if (saved.identity === identity) {
      done = saved.records;
      progress(`resuming after ${done} records`, true);
    }
  }
  let sent = 0;
  let imported = 0;
  let rejected = 0;
  for await (const c of chunks(file, format, size)) {
    if (sent + c.records <= done) {
      sent += c.records;
      continue;
    }
    const res = await fetch(`${url}/v1/import?format=${format}`, {
      method: 'POST',
      body: c.body,
      headers: authHeaders(a),
    });
    const answer = (await res.json().catch(() => ({}))) as {
      metrics_imported?: number;
      errors?: { line: number | null; message: string }[];
      errors_total?: number;
      message?: string;
    };
    if (res.status !== 200 && res.status !== 400) {
      throw new Error(
        `cannot import into ${url}: ${res.status} ${answer.message ?? ''} (run again to resume after ${sent} records)`,
      );
    }
    imported += answer.metrics_imported ?? 0;
    rejected += answer.errors_total ?? 0;
    for (const e of answer.errors ?? []) {
      const line = e.line === null ? '' : `line ${c.firstLine + e.line - 1 - c.headerLines}: `;
      process.stderr.write(
        `${res.status === 400 && !process.stderr.isTTY ? '' : '\n'}rejected: ${line}${e.message}\n`,
      );
    }
    sent += c.records;
    writeFileSync(`${stateFile}.tmp`, JSON.stringify({ identity, records: sent }));
    renameSync(`${stateFile}.tmp`, stateFile);
    progress(`import ${format}: ${sent} records sent, ${imported} samples imported, ${rejected} rejected`);
  }
  progress(`imported ${imported} samples from ${file} (${rejected} rejected)`, true);
  rmSync(stateFile, { force: true });
  return rejected === 0 ? 0 : 1;
}
