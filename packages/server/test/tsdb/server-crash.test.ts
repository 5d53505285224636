/**
 * The crash test against the real server: a writer posts batches to `POST /v1/ingest` and counts
 * a batch as acknowledged when the answer is 200; the test kills the `tinyobs serve` process with
 * SIGKILL at a random moment, then opens its data directory and checks every acknowledged sample
 * (with `verify`, as the in-process crash test does). Needs the build (`npm test` builds first);
 * skipped with a note when `dist/` is missing.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verify } from './crash-check.js';
import { built, startServer, writeUntilKilled } from './crash-server.js';

describe('crash safety of the server', {
  skip: built ? false : 'needs `npx tsc -b packages/server` first',
}, () => {
  it('keeps every acknowledged ingest batch when `tinyobs serve` is killed with SIGKILL (3 rounds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-server-crash-'));
    try {
      const bases: number[] = [];
      const acked: number[] = [];
      const seen: number[] = [];
      for (let r = 0; r < 3; r++) {
        // Recent timestamps: the server's lateness bound is relative to the newest sample and now.
        bases.push(Date.now() - 60_000 + r);
        const { child, url } = await startServer(dir);
        acked.push(await writeUntilKilled(url, bases[r]!, 20, 300 + Math.random() * 500, child));
        assert.ok(acked[r]! >= 0, `round ${r}: nothing was acknowledged`);
        const res = await verify(dir, bases, acked, seen, 20);
        assert.equal(res.problem, null);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
