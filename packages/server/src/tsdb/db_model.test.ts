/**
 * A randomized test of the whole database against a model: random batches (in-order samples,
 * out-of-order fills inside the window, retries and conflicts on the newest sample, samples too
 * far behind), persistences, crashes (abandoned handles) and clean restarts; after every step,
 * every series reads back exactly as the model says.
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

const WINDOW = 60_000;

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
      const open = () =>
        DB.open({ dir, oooWindowMs: WINDOW, persistIntervalMs: 0, downsample: false, warn: () => {} });
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
                t = newest - 1 - r(WINDOW - 1); // out of order, inside the window
                if (t < 0 || pts.has(t)) continue;
              } else if (kind === 3) {
                t = newest; // retry (same value) or conflict
                if (r(2) === 0) v = pts.get(t)!;
              } else t = newest - WINDOW - 1 - r(10_000); // too far behind
              app.append(0, labelsFromRecord({ __name__: 'm', i: String(i) }), t, v);
              if (t > newest || (kind === 2 && newest - t <= WINDOW)) {
                pts.set(t, v);
                maxT.set(i, Math.max(newest, t));
                expectAppended++;
              } else if (kind === 3 && pts.get(t) === v) expectAppended++;
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
