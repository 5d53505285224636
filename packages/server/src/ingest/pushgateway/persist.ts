/**
 * Pushgateway groups on disk: one SQLite file (`<data-dir>/pushgateway.sqlite`, better-sqlite3),
 * one row per group, written before a push is acknowledged. The Pushgateway itself keeps its
 * groups in a file (`--persistence.file`) written every few minutes, so it can lose recent pushes;
 * here every change is one SQLite transaction in WAL mode with `synchronous=FULL`, so a push
 * that was answered 2xx survives a SIGKILL, and a torn write is rolled back by SQLite instead of
 * leaving a half-written file. Groups cannot be rebuilt from the stored series instead: which
 * series belong to which group, and which grouping labels a group has, is not in the samples.
 *
 * Format (see FORMAT.md): table `groups(key TEXT PRIMARY KEY, body TEXT)`, `key` the grouping
 * key, `body` JSON `{"labels":[[name,value]…],"pushedAt":ms,"families":[[name,type,help,
 * [[[[name,value]…],value]…]]…]}` with values as JavaScript number strings (`NaN`, `Infinity` and
 * `-Infinity` have no JSON number).
 */

import Database from 'better-sqlite3';
import { labelsKey } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import { StorageError } from '../../storage/errors.js';
import type { Family, Group, GroupStore } from './groups.js';

type Pair = [string, string];
interface Body {
  labels: Pair[];
  pushedAt: number;
  families: [string, MetricType, string, [Pair[], string][]][];
}

export class GroupFile implements GroupStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly del: Database.Statement;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS groups (key TEXT PRIMARY KEY, body TEXT NOT NULL)');
    this.upsert = this.db.prepare('INSERT OR REPLACE INTO groups (key, body) VALUES (?, ?)');
    this.del = this.db.prepare('DELETE FROM groups WHERE key = ?');
  }

  /** Every saved group; a row that cannot be read is skipped and reported through `warn`. */
  load(warn: (message: string) => void): Group[] {
    const out: Group[] = [];
    for (const row of this.db.prepare('SELECT key, body FROM groups').all() as {
      key: string;
      body: string;
    }[]) {
      try {
        out.push(decode(JSON.parse(row.body) as Body));
      } catch (err) {
        warn(`pushgateway: cannot load a saved group (${(err as Error).message}); it is dropped`);
      }
    }
    return out;
  }

  save(key: string, group: Group): void {
    write(() => this.upsert.run(key, JSON.stringify(encode(group))));
  }

  remove(key: string): void {
    write(() => this.del.run(key));
  }

  close(): void {
    this.db.close();
  }
}

/** A failed write as the storage error a client retries on (507 when the disk is full, else 503). */
function write(run: () => void): void {
  try {
    run();
  } catch (err) {
    const full = (err as { code?: unknown }).code === 'SQLITE_FULL';
    throw new StorageError(
      full ? 'storage_full' : 'storage_unavailable',
      `cannot save the Pushgateway group: ${(err as Error).message}`,
    );
  }
}

const pairs = (labels: readonly { name: string; value: string }[]): Pair[] =>
  labels.map((l) => [l.name, l.value]);
const labelsOf = (ps: Pair[]) => ps.map(([name, value]) => ({ name, value }));

function encode(g: Group): Body {
  return {
    labels: pairs(g.labels),
    pushedAt: g.pushedAt,
    families: [...g.families].map(([name, f]) => [
      name,
      f.meta.type,
      f.meta.help,
      [...f.series.values()].map((s) => [pairs(s.labels), String(s.value)]),
    ]),
  };
}

function decode(b: Body): Group {
  if (!Array.isArray(b.labels) || !Number.isFinite(b.pushedAt) || !Array.isArray(b.families))
    throw new Error('not a saved group');
  const families = new Map<string, Family>();
  for (const [name, type, help, series] of b.families) {
    const fam: Family = { meta: { type, help, unit: '' }, series: new Map() };
    for (const [ps, value] of series) {
      const labels = labelsOf(ps);
      fam.series.set(labelsKey(labels), { labels, value: Number(value) });
    }
    families.set(name, fam);
  }
  return { labels: labelsOf(b.labels), families, pushedAt: b.pushedAt };
}
