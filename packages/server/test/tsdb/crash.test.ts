import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runWriter, verify } from './crash-check.js';

describe('crash safety of the database', () => {
  it('keeps every acknowledged batch when the writer process is killed with SIGKILL (3 rounds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-crash-'));
    try {
      const bases: number[] = [];
      const acked: number[] = [];
      const seen: number[] = [];
      const policies = ['interval', 'always', 'never'];
      for (let r = 0; r < 3; r++) {
        bases.push(1_700_000_000_000 + r * 10_000_000);
        acked.push(await runWriter(dir, bases[r]!, 50, policies[r]!, 100 + Math.random() * 300));
        assert.ok(acked[r]! >= 0, `round ${r}: the writer acknowledged nothing`);
        const res = await verify(dir, bases, acked, seen, 50);
        assert.equal(res.problem, null);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
