/**
 * A damaged write-ahead log, as a disk or an interrupted write leaves it, seen from the server: it
 * starts, says what it cut, and answers queries with everything before the damage.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { postJson, spawnServer, tempDir } from './support/server.js';

const BATCHES = 3;
const PER_BATCH = 50;

/** Pushes BATCHES acknowledged batches of distinct series, then kills the server with SIGKILL. */
async function fillAndKill(dir: string): Promise<void> {
  const srv = await spawnServer(['--data-dir', dir]);
  const t = Date.now() - 30_000;
  for (let b = 0; b < BATCHES; b++) {
    const metrics = Array.from({ length: PER_BATCH }, (_, i) => ({
      // Untyped, so the batch carries no metadata record: its samples record is the log's last.
      name: 'damage_test',
      value: i,
      labels: { batch: String(b), i: String(i) },
      timestamp: t + b,
    }));
    assert.equal((await postJson(`${srv.url}/v1/ingest`, { metrics })).status, 200);
  }
  srv.child.kill('SIGKILL');
  await srv.exited;
}

/** The newest log segment (where the last batch is). */
function lastSegment(dir: string): string {
  const wal = join(dir, 'wal');
  const names = readdirSync(wal)
    .filter((n) => /^\d{8}$/.test(n))
    .sort();
  return join(wal, names.at(-1)!);
}

/** Batches whose series the restarted server returns, by number of series each. */
async function seriesPerBatch(dir: string): Promise<{ counts: number[]; log: string }> {
  const srv = await spawnServer(['--data-dir', dir]);
  const res = await fetch(`${srv.url}/api/v1/series?match[]=damage_test`);
  const body = (await res.json()) as { data: { batch: string }[] };
  srv.child.kill('SIGTERM');
  await srv.exited;
  const counts = Array.from(
    { length: BATCHES },
    (_, b) => body.data.filter((s) => s.batch === String(b)).length,
  );
  return { counts, log: srv.stderr() };
}

describe('a damaged write-ahead log at start', () => {
  it('with a truncated tail: the server starts, keeps every earlier batch, and warns what it cut', async () => {
    const dir = tempDir();
    try {
      await fillAndKill(dir);
      const seg = lastSegment(dir);
      truncateSync(seg, statSync(seg).size - 7);
      const { counts, log } = await seriesPerBatch(dir);
      assert.deepEqual(counts, [PER_BATCH, PER_BATCH, 0]);
      assert.match(log, /"level":"warn".*cut the write-ahead log/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with flipped bytes in the last record: the server starts, keeps every earlier batch, and warns', async () => {
    const dir = tempDir();
    try {
      await fillAndKill(dir);
      const seg = lastSegment(dir);
      const bytes = readFileSync(seg);
      for (let i = bytes.length - 12; i < bytes.length - 8; i++) bytes[i] = bytes[i]! ^ 0xff;
      writeFileSync(seg, bytes);
      const { counts, log } = await seriesPerBatch(dir);
      assert.deepEqual(counts, [PER_BATCH, PER_BATCH, 0]);
      assert.match(log, /"level":"warn".*cut the write-ahead log/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
