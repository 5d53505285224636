/**
 * The storages a promqltest script can run on: a bare in-memory {@link Head}, or the real
 * database ({@link DB}: write-ahead log, SQLite chunk store, downsampled tiers) in a temporary
 * directory, loaded the way `tinyobs serve` holds data after a restart and more pushes.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels } from '../../model/labels.js';
import type { Appendable, Queryable } from '../../storage/types.js';
import { DB } from '../../tsdb/db.js';
import { Head } from '../../tsdb/head/head.js';

/** One sample to load; rows arrive in ascending time order. */
export interface LoadRow {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** A loaded storage, queried until the script's data changes, then closed. */
export interface LoadedStore {
  readonly queryable: Queryable;
  close(): Promise<void>;
}

export type StoreKind = 'head' | 'db';

/** Loads rows (sorted by time) into a fresh storage of the given kind. */
export function loadStore(kind: StoreKind, rows: readonly LoadRow[]): Promise<LoadedStore> {
  return kind === 'head' ? loadHead(rows) : loadDB(rows);
}

async function appendAll(app: Appendable, rows: readonly LoadRow[]): Promise<void> {
  const a = app.appender();
  for (const r of rows) a.append(0, r.labels, r.t, r.v);
  const res = await a.commit();
  const rejected = Object.entries(res.rejected ?? {}).filter(([, n]) => (n as number) > 0);
  if (rejected.length > 0) throw new Error(`cannot load the test data: rejected ${JSON.stringify(rejected)}`);
}

async function loadHead(rows: readonly LoadRow[]): Promise<LoadedStore> {
  const head = new Head();
  await appendAll(head, rows);
  return { queryable: head, close: async () => {} };
}

/**
 * The first half of the samples (by time) is committed, the database closed (persisting them to
 * the chunk store) and reopened; the second half goes through the write-ahead log into the head,
 * and one maintenance round runs (persistence, retention, downsampling), as the server's timer
 * would. Queries then read persisted chunks, head chunks and the tiers' cut-over together.
 */
async function loadDB(rows: readonly LoadRow[]): Promise<LoadedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyobs-promqltest-'));
  const warnings: string[] = [];
  const open = () => DB.open({ dir, walFsync: 'never', persistIntervalMs: 0, warn: (m) => warnings.push(m) });
  let db: DB | null = null;
  try {
    const half = rows.length >> 1;
    db = await open();
    await appendAll(db, rows.slice(0, half));
    await db.close();
    db = await open();
    await appendAll(db, rows.slice(half));
    await db.maintain();
  } catch (err) {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const opened = db;
  return {
    queryable: opened,
    close: async () => {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
      if (warnings.length > 0) throw new Error(`the database warned: ${warnings.join('; ')}`);
    },
  };
}
