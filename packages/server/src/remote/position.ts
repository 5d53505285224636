/**
 * A target's durable position in the write-ahead log: `<data dir>/remote/<target id>.json`,
 * `{"url", "segment", "offset", "skip", "sentUntilMs"}`: the next record to send starts at
 * `offset` of segment `segment`, its first `skip` samples were sent already, and `sentUntilMs` is
 * the newest sample timestamp acknowledged (for the lag). Written after every acknowledged
 * round by write-to-temporary, fsync and rename, then the directory fsynced, so a killed process
 * or a power cut leaves the old or the new position, never a torn one, and a saved position
 * stays saved: the rounds before it are not sent again (only a round acknowledged by the target
 * in the moment before the process died, whose position was not saved yet, is).
 */

import { readFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';

export interface WalPosition {
  readonly segment: number;
  readonly offset: number;
  readonly skip: number;
}

/** A saved position and the newest sample timestamp acknowledged so far (for the lag). */
export interface SavedPosition extends WalPosition {
  readonly sentUntilMs: number;
}

export function positionDir(dataDir: string): string {
  return join(dataDir, 'remote');
}

/** The saved position of a target, or null when it never saved one. */
export function loadPosition(dataDir: string, id: string): SavedPosition | null {
  let text: string;
  try {
    text = readFileSync(join(positionDir(dataDir), `${id}.json`), 'utf8');
  } catch {
    return null;
  }
  try {
    const p = JSON.parse(text) as SavedPosition;
    if ([p.segment, p.offset, p.skip].every((n) => Number.isSafeInteger(n) && n >= 0))
      return { ...p, sentUntilMs: Number(p.sentUntilMs) || 0 };
  } catch {
    // unreadable: start afresh (below)
  }
  return null;
}

/**
 * Saves a position durably, off the event loop (an fsync on it stalled ingest). Saves of one
 * target must not overlap (they share a temporary file): the caller chains them.
 */
export async function savePosition(
  dataDir: string,
  id: string,
  url: string,
  p: SavedPosition,
): Promise<void> {
  const dir = positionDir(dataDir);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${id}.json.tmp`);
  const { segment, offset, skip, sentUntilMs } = p;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(JSON.stringify({ url, segment, offset, skip, sentUntilMs }));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(dir, `${id}.json`));
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
