/**
 * A randomized test of the whole database against a model: random batches (in-order samples,
 * late samples anywhere in the past, retries and conflicts on the newest sample and on older
 * ones, in memory or persisted), persistences, crashes (abandoned handles) and clean restarts;
 * after every step, every series reads back exactly as the model says.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../test/support/prng.js';
import { labelsFromRecord } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import { DB } from './db.js';

/** A uniform integer in [0, n) from a seeded generator. */
function rng(seed: number) {
  const next = mulberry32(seed);
  return (n: number) => Math.floor(next() * n);
}

describe('database against a model', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`reads back exactly what the model holds through appends, persistences and crashes (seed ${seed})`, async () => {
      const r = rng(seed);
      const dir = mkdtempSync(join(tmpdir(), 'tinyobs-model-'));
      const open = () => DB.open({ dir, persistIntervalMs: 0, downsample: false, warn: () => {} });
      let db = await open();
      const model = new Map<number, Map<number, number>>(); // series → t → v
      const maxT = new Map<number, number>();
      const check = () => {
        for (const [i, pts] of model) {
          const set = db.querier(0, 1e12).select([newMatcher('=', 'i', String(i))]);
          const got: [number, number][] = [];
          if (set.next()) {
            const it = set.at().iterator();
            while (it.next()) got.push([it.t(), it.v()]);
          }
          assert.deepEqual(
            got,
            [...pts].sort((a, b) => a[0] - b[0]),
            `series ${i}`,
          );
        }
      };
      try {
        for (let step = 0; step < 300; step++) {
          const op = r(20);
          if (op === 0) db.persist();
          else if (op === 1)
            db = await open(); // crash: the old handle is abandoned
          else if (op === 2) {
            await db.close();
            db = await open();
          } else {
            const app = db.appender();
            let expectAppended = 0;
            let expectRejected = 0;
            const inBatch = new Set<string>();
            for (let k = 0; k < 1 + r(30); k++) {
              const i = r(4);
              const pts = model.get(i) ?? new Map<number, number>();
              model.set(i, pts);
              const newest = maxT.get(i) ?? -1;
              const kind = newest < 0 ? 0 : r(5);
              let t: number;
              let v = r(1000) / 10;
              if (kind <= 1)
                t = newest + 1000 + r(5) * 1000; // in order
              else if (kind === 2) {
                t = newest - 1 - r(newest + 1); // late, anywhere back to 0
                if (t < 0 || pts.has(t)) continue;
              } else if (kind === 3) {
                t = newest; // retry (same value) or conflict
                if (r(2) === 0) v = pts.get(t)!;
              } else {
                // A retry of, or a conflict with, an older sample (in memory or persisted).
                const keys = [...pts.keys()];
                t = keys[r(keys.length)]!;
                if (inBatch.has(`${i}:${t}`) || t === newest) continue;
                if (r(2) === 0) v = pts.get(t)!;
              }
              inBatch.add(`${i}:${t}`);
              app.append(0, labelsFromRecord({ __name__: 'm', i: String(i) }), t, v);
              if (t > newest || kind === 2) {
                pts.set(t, v);
                maxT.set(i, Math.max(newest, t));
                expectAppended++;
              } else if (pts.get(t) === v) expectAppended++;
              else expectRejected++;
            }
            const res = await app.commit();
            assert.equal(res.appended, expectAppended);
            assert.equal(
              Object.values(res.rejected).reduce((a, b) => a + (b ?? 0), 0),
              expectRejected,
            );
          }
          check();
        }
        await db.close();
        db = await open();
        check();
        await db.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
