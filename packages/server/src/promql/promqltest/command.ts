/**
 * `tinyobs promql-test [--verbose] [--skip-list FILE] FILE…`: runs promqltest scripts against the
 * engine, as `promtool test` does for rules. Prints one JSON line per file
 * (`{"file","passed","failed","skipped"}`); with `--verbose` also each failure. Evals listed as
 * native-histogram evals in `native-histogram-evals.json` (next to the file or one directory up,
 * or given with `--skip-list`) are skipped; without a list, evals touching `{{…}}` data are.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseExpr } from '../parser/parse.js';
import { type FileResult, runScript, skipLinesFor } from './runner.js';

/** Runs the files; resolves to the process exit code (0 when nothing failed). */
export async function promqlTestCommand(argv: string[]): Promise<number> {
  let verbose = false;
  let skipList: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--skip-list') skipList = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: tinyobs promql-test [--verbose] [--skip-list native-histogram-evals.json] FILE…\n',
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
      res = await runFile(file, text, skipList);
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
export function runFile(file: string, text: string, skipList?: string): Promise<FileResult> {
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
  return runScript(file, text, { parse: parseExpr, ...(skipLines ? { skipLines } : {}) });
}
