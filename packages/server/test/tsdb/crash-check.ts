/**
 * One round of the crash test, shared by `npm test` (a few rounds) and `scripts/crash-test.ts`
 * (many): start a writer process on a data directory, kill it with SIGKILL at a random moment,
 * reopen the database and check that every acknowledged batch of every round so far is there,
 * with its exact values, and that nothing else is (only the one batch in flight may or may not be).
 */

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { newMatcher } from '../../src/model/matcher.js';
import { DB } from '../../src/tsdb/db.js';

export const crashLabels = (base: number, i: number) => ({
  __name__: 'crash_test',
  round: String(base),
  series: String(i),
});
/** A value with a fraction, so a torn or misplaced sample cannot pass for a right one. */
export const crashValue = (k: number, i: number) => k * 1000 + i + 0.25;
/** How many batches behind the late samples of odd series are. */
const LATE_BEHIND = 150;

/**
 * The samples batch `k` writes to series `i`: one at `base + k s`, and for odd series from batch
 * LATE_BEHIND on a late one between two samples of LATE_BEHIND batches ago (out of order, often
 * into a stretch already persisted: persistence then merges and rewrites it).
 */
export function crashSamples(base: number, k: number, i: number): [number, number][] {
  const out: [number, number][] = [[base + k * 1000, crashValue(k, i)]];
  if (i % 2 === 1 && k >= LATE_BEHIND) {
    const j = k - LATE_BEHIND;
    out.push([base + j * 1000 + 500, crashValue(j, i) + 0.5]);
  }
  return out;
}

/** The last batch whose samples make `count` samples of series `i` (NaN when none does). */
function batchesOf(count: number, i: number): number {
  if (i % 2 === 0 || count <= LATE_BEHIND) return count - 1;
  const n = (count + LATE_BEHIND - 2) / 2;
  return Number.isInteger(n) ? n : Number.NaN;
}

export interface RoundResult {
  readonly acked: number;
  readonly found: number;
  readonly walCut: string | null;
}

/** Runs a writer, kills it `killAfterMs` after its first ack, and returns the last batch it acked. */
export async function runWriter(
  dir: string,
  base: number,
  nSeries: number,
  fsync: string,
  killAfterMs: number,
): Promise<number> {
  const script = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, dir, String(base), String(nSeries), fsync],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let acked = -1;
  let buf = '';
  let started = false;
  // 'close', not 'exit': the stdout pipe may still hold acks when the process is gone.
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('ack ')) acked = Number(l.slice(4));
      // Start the kill timer at the first ack, so the kill lands while writing, not while starting.
      if (!started && acked >= 0) {
        started = true;
        setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, killAfterMs);
      }
    });
    child.on('close', () => resolve());
  });
  await exited;
  // Lines still in the pipe were printed after their commit resolved: they count as acked.
  for (const l of buf.split('\n')) if (l.startsWith('ack ')) acked = Number(l.slice(4));
  return acked;
}

/**
 * Reopens the database and checks every round so far. `acked[r]` is the last batch the writer of
 * round r acknowledged; `seen[r]` the sample count per series found when round r was first
 * checked (filled in here for the newest round). A series must hold batches 0..n exactly, with
 * n >= acked (more is allowed: a batch can be committed while its ack is lost with the process,
 * like a response lost with a connection), and an older round must hold exactly what it held
 * before: nothing acknowledged is lost and nothing else changes.
 */
export async function verify(
  dir: string,
  bases: readonly number[],
  acked: readonly number[],
  seen: number[],
  nSeries: number,
): Promise<{ problem: string | null; found: number; walCut: string | null }> {
  const db = await DB.open({ dir, warn: () => {} });
  const walCut = db.replay.cut === null ? null : `${db.replay.cut.reason}@${db.replay.cut.offset}`;
  let found = 0;
  try {
    for (let r = 0; r < bases.length; r++) {
      const base = bases[r]!;
      const set = db
        .querier(base, base + 1e9)
        .select([newMatcher('=', '__name__', 'crash_test'), newMatcher('=', 'round', String(base))]);
      const counts: number[] = [];
      const batches: number[] = [];
      while (set.next()) {
        const s = set.at();
        const i = Number(s.labels.find((l) => l.name === 'series')!.value);
        const it = s.iterator();
        const got: [number, number][] = [];
        while (it.next()) got.push([it.t(), it.v()]);
        if (it.err() !== null)
          return { problem: `round ${r} series ${i}: ${it.err()!.message}`, found, walCut };
        const n = batchesOf(got.length, i);
        const want: [number, number][] = [];
        for (let k = 0; k <= n; k++) want.push(...crashSamples(base, k, i));
        want.sort((a, b) => a[0] - b[0]);
        for (let k = 0; k < Math.max(got.length, want.length); k++) {
          if (got[k]?.[0] !== want[k]?.[0] || got[k]?.[1] !== want[k]?.[1]) {
            return {
              problem: `round ${r} series ${i}: sample ${k} is (${got[k]}), expected (${want[k]})`,
              found,
              walCut,
            };
          }
        }
        found += got.length;
        counts[i] = got.length;
        batches[i] = n + 1;
      }
      for (let i = 0; i < nSeries; i++) {
        const k = batches[i] ?? 0;
        if (k < acked[r]! + 1)
          return { problem: `round ${r} series ${i}: ${k} batches, ${acked[r]! + 1} acked`, found, walCut };
      }
      const total = counts.reduce((a, b) => a + b, 0);
      if (seen[r] === undefined) seen[r] = total;
      else if (seen[r] !== total)
        return { problem: `round ${r}: ${total} samples, ${seen[r]} before`, found, walCut };
    }
    return { problem: null, found, walCut };
  } finally {
    await db.close();
  }
}
