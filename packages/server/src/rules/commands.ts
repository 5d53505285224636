/**
 * `tinyobs check-rules FILE…` (as `promtool check rules`) and `tinyobs test-rules FILE…` (as
 * `promtool test rules`). Both exit 0 when every file passes, 1 otherwise.
 */

import { RuleFileError } from './errors.js';
import { loadRuleFiles } from './file.js';
import { expandGlobs } from './glob.js';
import { runRuleTestFile } from './unittest/run.js';

type Out = (text: string) => void;

function usage(cmd: string, err: Out): number {
  err(`usage: tinyobs ${cmd} FILE…\n`);
  return 2;
}

export async function checkRulesCommand(
  args: string[],
  out: Out = (t) => process.stdout.write(t),
  err: Out = (t) => process.stderr.write(t),
): Promise<number> {
  if (args.length === 0 || args.some((a) => a.startsWith('-'))) return usage('check-rules', err);
  let failed = false;
  for (const file of expandGlobs(args)) {
    out(`Checking ${file}\n`);
    try {
      const groups = loadRuleFiles([file]);
      const n = groups.reduce((sum, g) => sum + g.rules.length, 0);
      const names = groups.flatMap((g) =>
        g.rules.map((r) => `${r.kind} ${r.name} ${JSON.stringify(r.labels)}`),
      );
      const dups = names.length - new Set(names).size;
      out(`  SUCCESS: ${n} rules found\n`);
      if (dups > 0) out(`  WARNING: ${dups} duplicate rule(s) found (same name and labels)\n`);
    } catch (e) {
      if (!(e instanceof RuleFileError)) throw e;
      failed = true;
      err(`  FAILED:\n${e.problems.map((p) => `${p.toString()}\n`).join('')}`);
    }
    out('\n');
  }
  return failed ? 1 : 0;
}

export async function testRulesCommand(
  args: string[],
  out: Out = (t) => process.stdout.write(t),
): Promise<number> {
  if (args.length === 0 || args.some((a) => a.startsWith('-'))) return usage('test-rules', out);
  let failed = false;
  for (const file of expandGlobs(args)) {
    out(`Unit Testing:  ${file}\n`);
    const errors = await runRuleTestFile(file);
    if (errors.length === 0) out('  SUCCESS\n');
    else {
      failed = true;
      out(`  FAILED:\n${errors.map((e) => `${e}\n`).join('')}`);
    }
    out('\n');
  }
  return failed ? 1 : 0;
}
