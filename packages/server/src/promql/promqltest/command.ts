/**
 * `tinyobs promql-test [--verbose] [--store head|db] [--skip-list FILE] FILE…`: runs promqltest
 * scripts against the engine, as `promtool test` does for rules; `--store db` loads the data into
 * the real database (write-ahead log, chunk store, tiers) in a temporary directory. Prints one JSON line per file
 * (`{"file","passed","failed","skipped"}`); with `--verbose` also each failure. Evals listed as
 * native-histogram evals in `native-histogram-evals.json` (next to the file or one directory up,
 * or given with `--skip-list`) are skipped; without a list, evals touching `{{…}}` data are.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseExpr } from '../parser/parse.js';
import { type FileResult, runScript, skipLinesFor } from './runner.js';
import type { StoreKind } from './stores.js';

/** Runs the files; resolves to the process exit code (0 when nothing failed). */
export async function promqlTestCommand(argv: string[]): Promise<number> {
  let verbose = false;
  let skipList: string | undefined;
  let store: StoreKind = 'head';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--skip-list') skipList = argv[++i];
    else if (a === '--store') {
      const v = argv[++i];
      if (v !== 'head' && v !== 'db') {
        process.stderr.write(`cannot run promql-test: --store must be head or db, got ${v ?? 'nothing'}\n`);
        return 2;
      }
      store = v;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: tinyobs promql-test [--verbose] [--store head|db] [--skip-list native-histogram-evals.json] FILE…\n',
      );
      return 0;
    } else files.push(a);
  }
  if (files.length === 0) {
    process.stderr.write('cannot run promql-test: no test files given\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    let res: FileResult;
    try {
      const text = readFileSync(file, 'utf8');
      res = await runFile(file, text, skipList, store);
    } catch (err) {
      process.stderr.write(`cannot run ${file}: ${(err as Error).message}\n`);
      failed = true;
      continue;
    }
    process.stdout.write(
      `${JSON.stringify({ file: res.file, passed: res.passed, failed: res.failed, skipped: res.skipped })}\n`,
    );
    if (res.failed > 0) failed = true;
    if (verbose) {
      for (const f of res.failures)
        process.stdout.write(`  ${file}:${f.line}: ${f.expr}\n    ${f.message}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** Runs one file, finding its native-histogram skip list. */
export function runFile(
  file: string,
  text: string,
  skipList?: string,
  store: StoreKind = 'head',
): Promise<FileResult> {
  const candidates =
    skipList !== undefined
      ? [skipList]
      : [
          join(dirname(file), 'native-histogram-evals.json'),
          join(dirname(file), '..', 'native-histogram-evals.json'),
        ];
  let skipLines: Set<number> | undefined;
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    skipLines = skipLinesFor(c, file);
    if (skipLines !== undefined) break;
  }
  return runScript(file, text, { parse: parseExpr, store, ...(skipLines ? { skipLines } : {}) });
}
