import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { batchRows } from '../../test/support/batch.js';
import { waitFor } from '../../test/support/ports.js';
import { tempDir } from '../../test/support/server.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest/limits.js';
import { decodeRemoteWriteV1 } from '../ingest/remotewrite/decode.js';
import { uncompressSnappy } from '../ingest/remotewrite/snappy.js';
import { createLogger } from '../log.js';
import { labelsFromRecord, labelsToString } from '../model/labels.js';
import { DB } from '../tsdb/db.js';
import { segmentPath } from '../tsdb/wal/segment.js';
import { loadTargets } from './config.js';
import { Forwarder } from './forwarder.js';

/**
 * A remote write 1.0 receiver that decodes what it gets: `series time` → how often received.
 * It answers 2.0 with a 415, so `auto` settles on 1.0.
 */
async function receiver(): Promise<{ url: string; got: Map<string, number>; server: Server }> {
  const got = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (String(req.headers['content-type']).includes('proto=io.prometheus.write.v2')) {
        res.writeHead(415).end();
        return;
      }
      const body = uncompressSnappy(Buffer.concat(chunks), 1 << 26);
      for (const r of batchRows(decodeRemoteWriteV1(body, DEFAULT_INGEST_LIMITS).batch)) {
        const key = `${labelsToString(r.labels)} ${r.t}`;
        got.set(key, (got.get(key) ?? 0) + 1);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/write`, got, server };
}

/** Appends `n` samples of the series `m{i="0"}` … `m{i="2"}` from time `from`; returns their keys. */
async function append(db: DB, n: number, from: number): Promise<string[]> {
  const app = db.appender();
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const labels = labelsFromRecord({ __name__: 'm', i: String(i % 3) });
    app.append(0, labels, from + i * 1000, i);
    keys.push(`${labelsToString(labels)} ${from + i * 1000}`);
  }
  await app.commit();
  return keys;
}

/** Waits until the target acknowledged and saved everything in the log. */
function caughtUp(fw: Forwarder, db: DB, sent: number): Promise<true> {
  return waitFor('the target to catch up', async () => {
    const s = fw.stats()[0]!;
    const size = statSync(segmentPath(db.walPosition.dir, s.position.segment)).size;
    return s.sent === sent && s.pending === 0 && s.position.offset === size ? true : undefined;
  });
}

describe('the forwarding worker', () => {
  let rx: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    rx = await receiver();
  });
  after(() => rx.server.close());

  it('asks the database for labels whose series record was truncated away', async () => {
    rx.got.clear();
    const dir = tempDir();
    const fw = new Forwarder(loadTargets([rx.url], ''), dir, 3_600_000, createLogger('error'));
    const db = await DB.open({ dir, persistIntervalMs: 0, walRetain: () => fw.walFloor(), warn: () => {} });
    try {
      // The series records go into the first segment, which persistence then deletes.
      await append(db, 30, 1_000_000);
      const first = db.walPosition.segment;
      db.persist();
      assert.ok(db.walPosition.segment > first);
      assert.throws(() => statSync(segmentPath(db.walPosition.dir, first)), /ENOENT/);
      // A target without a saved position starts at the segment being written: samples only.
      fw.start(db);
      const keys = await append(db, 30, 2_000_000);
      await caughtUp(fw, db, 30);
      assert.deepEqual([...rx.got.keys()].sort(), keys.sort());
      assert.ok([...rx.got.values()].every((n) => n === 1));
    } finally {
      await fw.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a worker that fails is reported and replaced; the new one goes on from the saved position, every sample once', async () => {
    rx.got.clear();
    const dir = tempDir();
    const errors: string[] = [];
    const log = createLogger('error', (line) => {
      errors.push(line);
    });
    const fw = new Forwarder(loadTargets([rx.url], ''), dir, 3_600_000, log);
    const db = await DB.open({ dir, persistIntervalMs: 0, walRetain: () => fw.walFloor(), warn: () => {} });
    try {
      fw.start(db);
      const keys = await append(db, 50, 1_000_000);
      await caughtUp(fw, db, 50);
      // A crash of the worker (what an uncaught error in it ends the same way).
      await (fw as unknown as { worker: Worker }).worker.terminate();
      await waitFor('the failure to be logged', async () => (errors.length > 0 ? true : undefined));
      assert.match(errors[0]!, /the forwarding worker failed; starting a new one from the saved positions/);
      keys.push(...(await append(db, 50, 2_000_000)));
      // The counters go on from where the failed worker left them.
      await caughtUp(fw, db, 100);
      assert.deepEqual([...rx.got.keys()].sort(), keys.sort());
      assert.ok(
        [...rx.got.values()].every((n) => n === 1),
        'nothing sent twice',
      );
    } finally {
      await fw.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
