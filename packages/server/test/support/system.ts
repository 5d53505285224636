/**
 * Tests that need a system package (prometheus, promtool, chromium…). Outside CI a missing
 * binary skips the test with a loud message; in CI (`CI=true`) it fails, because CI installs them.
 */

import { execFileSync } from 'node:child_process';
import type { TestContext } from 'node:test';

export function findBinary(name: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The binary's path; skips (locally) or fails (in CI) the test when it is missing. */
export function requireBinary(t: TestContext, name: string, aptPackage: string): string | null {
  const path = findBinary(name);
  if (path !== null) return path;
  const msg = `MISSING SYSTEM PACKAGE: ${name} not found; install it with 'apt-get install ${aptPackage}' (.ci/run does)`;
  if (process.env.CI === 'true') throw new Error(msg);
  process.stderr.write(`\n*** ${msg} — skipping this test outside CI ***\n`);
  t.skip(msg);
  return null;
}
