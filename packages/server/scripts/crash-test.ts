/**
 * The long crash test: N rounds (default 50) of "start a writer process, SIGKILL it at a random
 * moment, reopen, check every acknowledged sample of every round". Prints one JSON line per round
 * and a summary; exits 1 at the first problem.
 *
 * Usage: node --import tsx packages/server/scripts/crash-test.ts [rounds] [data dir] [--server]
 *
 * With `--server`, each round starts the real `tinyobs serve` (build it first with
 * `npx tsc -b packages/server`) and posts to `/v1/ingest` instead of running the writer process.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWriter, verify } from '../test/tsdb/crash-check.js';
import { startServer, writeUntilKilled } from '../test/tsdb/crash-server.js';

const useServer = process.argv.includes('--server');
const argv = process.argv.slice(2).filter((a) => a !== '--server');
const rounds = Number(argv[0] ?? 50);
const keep = argv[1] !== undefined;
const dir = argv[1] ?? mkdtempSync(join(tmpdir(), 'tinyobs-crash-'));
const policies = ['interval', 'always', 'never'];
const bases: number[] = [];
const acked: number[] = [];
const seen: number[] = [];
let failed = false;
for (let r = 0; r < rounds; r++) {
  const policy = useServer ? 'server' : policies[r % policies.length]!;
  const killAfterMs = 50 + Math.random() * 950;
  if (useServer) {
    bases.push(Date.now() - 60_000 + r);
    const { child, url } = await startServer(dir);
    acked.push(await writeUntilKilled(url, bases[r]!, 50, killAfterMs, child));
  } else {
    // Rounds 2.8 h apart: 50 rounds stay well inside the 15-day raw retention.
    bases.push(1_700_000_000_000 + r * 10_000_000);
    acked.push(await runWriter(dir, bases[r]!, 50, policy, killAfterMs));
  }
  const res = await verify(dir, bases, acked, seen, 50);
  console.log(
    JSON.stringify({ round: r, policy, killAfterMs: Math.round(killAfterMs), acked: acked[r], ...res }),
  );
  if (res.problem !== null || acked[r]! < 0) {
    failed = true;
    break;
  }
}
console.log(JSON.stringify({ rounds: acked.length, ok: !failed, dir: keep ? dir : undefined }));
if (!keep) rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
