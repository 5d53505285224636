/**
 * The data directory's lock, so that two processes never write one directory (their logs would
 * interleave). It is a lock the kernel holds for the process: SQLite in exclusive locking mode on
 * `<data dir>/LOCK.db`, i.e. an fcntl(2) write lock on that file. The kernel drops it when the
 * process exits, however it dies, even while the dead process is a zombie not yet reaped (a pid
 * file would still name a live-looking pid then); and two processes starting at the same moment
 * cannot both get it, because taking it is one atomic fcntl call, not a read-then-write of a file.
 *
 * The same process may open the directory again while it holds the lock (tests and benchmarks
 * simulate a crash by abandoning a handle): the new handle takes over the held lock.
 */

import { realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../storage/errors.js';

/** How long taking the lock may wait for another process' start-up attempt to give up. */
const LOCK_WAIT_MS = 1000;

/** Locks this process holds, by real path of the directory, with the handle that owns each. */
const held = new Map<string, { db: Database.Database; owner: object }>();

/** Takes the directory's lock; returns its release. Throws `storage_io` when another process holds it. */
export function acquireLock(dir: string): () => void {
  const key = realpathSync(dir);
  const owner = {};
  const mine = held.get(key);
  if (mine !== undefined) mine.owner = owner;
  else held.set(key, { db: lockFile(dir), owner });
  // Before this version the lock was a pid file; once the real lock is held it is only clutter.
  rmSync(join(dir, 'LOCK'), { force: true });
  return () => {
    const h = held.get(key);
    if (h === undefined || h.owner !== owner) return; // taken over by a later open in this process
    held.delete(key);
    h.db.close();
  };
}

function lockFile(dir: string): Database.Database {
  const path = join(dir, 'LOCK.db');
  let db: Database.Database | null = null;
  try {
    // A busy wait, for two processes starting at the same moment: both take SQLite's shared
    // lock, the loser fails to take the write lock and lets go of its shared one as it closes,
    // and the winner must wait for that to take its exclusive lock. Without waiting, both failed
    // in about one round in fifteen of lock.test.ts on a loaded machine; with 300 ms, still one
    // run in six. A process that finds a running server's lock waits this long to be refused.
    db = new Database(path, { timeout: LOCK_WAIT_MS });
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock, and in this mode SQLite keeps it until closed.
    db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL)');
    db.exec(`DELETE FROM owner; INSERT INTO owner (pid) VALUES (${process.pid})`);
    return db;
  } catch (err) {
    db?.close();
    const busy = (err as { code?: string }).code === 'SQLITE_BUSY';
    throw new StorageError(
      'storage_io',
      busy
        ? `cannot open the database in ${dir}: another process has it open (it holds the lock on ${path})`
        : `cannot open the database in ${dir}: cannot take the lock on ${path}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
