/**
 * Three days of 1 000 series at 15 min through the real server, with persistence, downsampling
 * and retention running while it ingests, checked against a model (`long_run.ts`). The full-size
 * run (10 000 series at 5 min) is `node --import tsx packages/server/scripts/long-run.ts`.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { longRun } from './long_run.js';

describe('three days through the real server', () => {
  it('answers as the model over raw data and within the tolerance over tiers, with every batch acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-longrun-'));
    try {
      const r = await longRun({ dataDir: join(dir, 'data'), series: 1000, days: 3, intervalMs: 900_000 });
      assert.deepEqual(r.problems, []);
      assert.ok(r.checks > 100, `${r.checks} checks`);
      assert.equal(r.samples, 1000 * 3 * 96);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
