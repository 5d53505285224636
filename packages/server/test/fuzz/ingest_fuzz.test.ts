/**
 * Fuzzes every ingest parser: mutated valid inputs and random ones. Every input must be accepted
 * or refused with a 4xx-coded IngestError: no other exception, no hang. `npm test` runs a short
 * pass (FUZZ_RUNS, default 2 000 per parser); `npm run fuzz` runs 100 000 per parser.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusOf } from '../../src/api/errors.js';
import { IngestError } from '../../src/ingest/errors.js';
import { mulberry32 } from '../support/prng.js';
import { mutate } from './mutate.js';
import { TARGETS } from './targets.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** Longest any one input may take: generous, it only catches hangs and pathological blowups. */
const SLOW_MS = 2000;

describe(`ingest parser fuzzing (${RUNS} inputs per parser)`, () => {
  for (const [k, target] of TARGETS.entries()) {
    it(`${target.name}: every input is accepted or refused with a 4xx`, async () => {
      const seeds = await target.seeds();
      for (const s of seeds) target.run(Buffer.from(s)); // the seeds themselves are valid
      const rnd = mulberry32(0x5eed + k);
      let refused = 0;
      for (let i = 0; i < RUNS; i++) {
        const input = mutate(seeds, rnd);
        const started = performance.now();
        try {
          target.run(input);
        } catch (err) {
          if (!(err instanceof IngestError)) {
            assert.fail(`input ${i} (${input.toString('base64')}) threw ${(err as Error).stack}`);
          }
          const status = statusOf(err);
          assert.ok(
            status >= 400 && status < 500,
            `input ${i} (${input.toString('base64')}): status ${status}`,
          );
          refused++;
        }
        const took = performance.now() - started;
        assert.ok(took < SLOW_MS, `input ${i} (${input.toString('base64')}) took ${took.toFixed(0)} ms`);
      }
      assert.ok(refused < RUNS, 'some mutated inputs still parse');
    });
  }
});
