/**
 * A lock file (`<data dir>/LOCK`, holding the owner's pid) so that two processes never write one
 * data directory: their logs would interleave. A lock left by a killed process is taken over:
 * its pid no longer exists. The same process may reopen (tests and benchmarks simulate a crash by
 * abandoning a handle).
 */

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from '../storage/errors.js';

export function acquireLock(dir: string): () => void {
  const path = join(dir, 'LOCK');
  let owner = Number.NaN;
  try {
    owner = Number(readFileSync(path, 'utf8').trim());
  } catch {
    // no lock file: free
  }
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
    throw new StorageError(
      'storage_io',
      `cannot open the database in ${dir}: process ${owner} has it open (${path})`,
    );
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => rmSync(path, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
