/**
 * `tinyobs export`: downloads `GET /v1/export` from a running server into a file. Line formats
 * (`jsonl`, `csv`) are fetched window by window and the position is kept in `FILE.progress`, so
 * an interrupted export resumes where it stopped; `json` and `openmetrics` are one document each
 * and are fetched in one request.
 */

import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { parseDurationSetting } from '../../config/units.js';
import { parseFormat } from '../formats.js';
import { authHeaders, flag, type ParsedArgs, parseArgs, progress, UsageError } from './args.js';

export const EXPORT_USAGE = `Usage: tinyobs export --output FILE [--url http://127.0.0.1:8080] [--format jsonl|csv|json|openmetrics]
                      [--match SELECTOR]… [--start TIME] [--end TIME] [--window 1h] [--key KEY]
Times are RFC 3339 or Unix seconds; --start defaults to the beginning, --end to now.
An interrupted jsonl or csv export resumes when run again with the same options.`;

interface Progress {
  readonly options: string;
  readonly next: number;
  readonly bytes: number;
}

function timeArg(a: ParsedArgs, name: string, fallback: number): number {
  const text = a.flags.get(name)?.at(-1);
  if (text === undefined) return fallback;
  const t = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(t))
    throw new UsageError(`invalid --${name} ${JSON.stringify(text)}: RFC 3339 or Unix seconds`);
  return Math.round(t);
}

export async function exportCommand(args: string[]): Promise<number> {
  const a = parseArgs(args, ['url', 'format', 'match', 'start', 'end', 'output', 'window', 'key']);
  const output = a.flags.get('output')?.at(-1);
  if (output === undefined) throw new UsageError('--output FILE is required');
  const url = flag(a, 'url', process.env.TINYOBS_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const format = parseFormat(flag(a, 'format', 'jsonl'));
  const end = timeArg(a, 'end', Date.now());
  const start = timeArg(a, 'start', 0);
  const window = parseDurationSetting(flag(a, 'window', '1h'));
  if (window === null || window <= 0) throw new UsageError('invalid --window: a duration such as 1h');
  const matches = a.flags.get('match') ?? [];
  const lineFormat = format === 'jsonl' || format === 'csv';
  // One document formats cannot be appended to: a single request, no resume.
  const step = lineFormat ? window : end - start + 1;
  const stateFile = `${output}.progress`;
  const options = JSON.stringify({ format, start, end, step, matches });

  let state: Progress = { options, next: start, bytes: 0 };
  if (lineFormat && existsSync(stateFile) && existsSync(output)) {
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as Progress;
    if (saved.options === options) {
      state = saved;
      truncateSync(output, saved.bytes);
      progress(
        `resuming at ${new Date(saved.next).toISOString()} (${saved.bytes} bytes already in ${output})`,
        true,
      );
    }
  }
  const fd = openSync(output, state.bytes > 0 ? 'r+' : 'w');
  try {
    const windows = Math.max(1, Math.ceil((end - start + 1) / step));
    for (let from = state.next, n = Math.round((from - start) / step) + 1; from <= end; from += step, n++) {
      const to = Math.min(end, from + step - 1);
      const q = new URLSearchParams({ format, start: String(from / 1000), end: String(to / 1000) });
      for (const m of matches) q.append('match[]', m);
      const res = await fetch(`${url}/v1/export?${q}`, { headers: authHeaders(a) });
      if (!res.ok || res.body === null) {
        throw new Error(`cannot export from ${url}: ${res.status} ${await res.text()}`);
      }
      let text = '';
      let bytes = state.bytes;
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        const cut = text.lastIndexOf('\n') + 1;
        if (cut === 0) continue;
        bytes += writeLines(fd, bytes, text.slice(0, cut), format === 'csv' && from !== start);
        text = text.slice(cut);
      }
      if (text !== '') bytes += writeLines(fd, bytes, text, false);
      state = { options, next: to + 1, bytes };
      if (lineFormat) writeStateAtomically(stateFile, state);
      progress(
        `export ${format}: window ${n}/${windows} up to ${new Date(to).toISOString()}, ${bytes} bytes`,
      );
    }
  } finally {
    closeSync(fd);
  }
  progress(`exported to ${output} (${state.bytes} bytes)`, true);
  rmSync(stateFile, { force: true });
  return 0;
}

/** Writes text at `offset`; later csv windows drop the header line the first one wrote. */
function writeLines(fd: number, offset: number, text: string, dropHeader: boolean): number {
  const body = dropHeader && text.startsWith('series,timestamp_ms,value\n') ? text.slice(26) : text;
  const buf = Buffer.from(body, 'utf8');
  writeSync(fd, buf, 0, buf.length, offset);
  return buf.length;
}

function writeStateAtomically(file: string, state: Progress): void {
  const fd = openSync(`${file}.tmp`, 'w');
  writeSync(fd, JSON.stringify(state));
  closeSync(fd);
  // rename is atomic: a crash leaves the old or the new state, never half of one.
  renameSync(`${file}.tmp`, file);
}
