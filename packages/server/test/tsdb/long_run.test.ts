/**
 * Three days of 10 000 series at 30 min through the real server, with persistence, downsampling
 * and retention running while it ingests, checked against a model (`long_run.ts`) every 3 h of
 * data. The interval and the checks' spacing keep it within about a minute here; the run at 5 min
 * (8.6 M samples) checked every hour is `node --import tsx packages/server/scripts/long-run.ts`.
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
      const r = await longRun({
        dataDir: join(dir, 'data'),
        series: 10_000,
        days: 3,
        intervalMs: 1_800_000,
        checkEveryMs: 3 * 3_600_000,
      });
      assert.deepEqual(r.problems, []);
      assert.ok(r.checks > 40, `${r.checks} checks`);
      assert.equal(r.samples, 10_000 * 3 * 48);
      const h = r.housekeeping;
      assert.ok(h.persists > 1, `persistences: ${h.persists}`);
      assert.ok(h.downsampledWindows > 0, `downsampled windows: ${h.downsampledWindows}`);
      assert.ok(h.retentionRuns > 0 && h.rawSamples < r.samples, `retention: ${JSON.stringify(h)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
