import assert from 'node:assert/strict';
import { existsSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '../../test/support/ports.js';
import { tempDir } from '../../test/support/server.js';
import { silentLogger } from '../log.js';
import { labelsFromRecord } from '../model/labels.js';
import { newMatcher } from '../model/matcher.js';
import { DB } from '../tsdb/db.js';
import { segmentPath } from '../tsdb/wal/segment.js';
import { loadTargets } from './config.js';
import { Forwarder } from './forwarder.js';
import { parseRetryAfter } from './send.js';

/** A receiver that answers every request with `status` (and counts them). */
async function receiver(
  status: number,
  headers: Record<string, string> = {},
): Promise<{ url: string; requests: () => number; server: Server }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/write`,
    requests: () => n,
    server,
  };
}

async function append(db: DB, n: number, from: number): Promise<void> {
  const app = db.appender();
  for (let i = 0; i < n; i++)
    app.append(0, labelsFromRecord({ __name__: 'm', i: String(i % 3) }), from + i * 1000, i);
  await app.commit();
}

describe('forwarder and the write-ahead log', () => {
  let down: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    down = await receiver(503, { 'retry-after': '1' });
  });
  after(() => down.server.close());

  it('keeps unsent segments through persistence, then drops and counts those past the maximum lag', async () => {
    const dir = tempDir();
    const fw = new Forwarder(loadTargets([down.url], ''), dir, 60_000, silentLogger);
    const db = await DB.open({ dir, persistIntervalMs: 0, walRetain: () => fw.walFloor(), warn: () => {} });
    try {
      fw.start(db);
      const first = db.walPosition.segment;
      await append(db, 50, 1_000_000);
      await waitFor('a refused request', async () => (fw.stats()[0]!.failed > 0 ? true : undefined));
      db.persist();
      await append(db, 20, 2_000_000);
      db.persist();
      assert.ok(
        existsSync(segmentPath(db.walPosition.dir, first)),
        'the unsent segment outlives persistence',
      );
      // Pending is estimated from the unread log bytes (20 a sample, plus a few bytes of framing).
      const pending = fw.stats()[0]!.pending;
      assert.ok(pending >= 70 && pending < 80, String(pending));
      // The first segment was last written long ago: past the maximum lag. A persistence asks
      // the forwarding worker to drop it; the persistence after that deletes it.
      const old = new Date(Date.now() - 120_000);
      utimesSync(segmentPath(db.walPosition.dir, first), old, old);
      db.persist();
      await waitFor('the drop, saved', async () => {
        const t = fw.stats()[0]!;
        return t.dropped > 0 && t.position.segment > first ? true : undefined;
      });
      db.persist();
      assert.ok(!existsSync(segmentPath(db.walPosition.dir, first)), 'a segment past the lag is deleted');
      const s = fw.stats()[0]!;
      assert.equal(s.dropped, 50);
      assert.ok(s.pending >= 20 && s.pending < 30, String(s.pending));
      assert.equal(s.sent, 0);
      assert.ok(down.requests() > 0, 'the 503 was retried');
    } finally {
      await fw.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('log segments kept for a down target do not count toward the size budget', async () => {
    const dir = tempDir();
    const fw = new Forwarder(loadTargets([down.url], ''), dir, 3_600_000, silentLogger);
    const budget = 1 << 20;
    const db = await DB.open({
      dir,
      persistIntervalMs: 0,
      maxStorageBytes: budget,
      walRetain: () => fw.walFloor(),
      warn: () => {},
    });
    try {
      fw.start(db);
      // 100 000 samples: 2 MB of log records, kept for the target; persisted they take far less.
      for (let round = 0; round < 10; round++) {
        const app = db.appender();
        for (let i = 0; i < 10_000; i++)
          app.append(
            0,
            labelsFromRecord({ __name__: 'kept', s: String(i % 100) }),
            1_000_000 + round * 100_000 + (i / 100) * 1000,
            i,
          );
        await app.commit();
        db.persist();
      }
      await db.maintain();
      assert.ok(db.walBytes > budget, `the log keeps ${db.walBytes} bytes for the target`);
      assert.equal(db.stats().compactions.budgetDeletions, 0, 'no stored data deleted for the budget');
      const q = db.querier(0, 10_000_000);
      let samples = 0;
      const set = q.select([newMatcher('=', '__name__', 'kept')]);
      while (set.next()) {
        const it = set.at().iterator();
        while (it.next()) samples++;
      }
      q.close();
      assert.equal(samples, 100_000);
    } finally {
      await fw.stop();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Retry-After is read in seconds and as an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(null), 0);
    assert.equal(parseRetryAfter('soon'), 0);
    const ms = parseRetryAfter(new Date(Date.now() + 10_000).toUTCString());
    assert.ok(ms > 8000 && ms <= 10_000, String(ms));
  });

  it('refuses a config with an unknown field or a bad matcher, naming it', () => {
    const dir = tempDir();
    const file = join(dir, 'rw.yml');
    try {
      writeFileSync(file, 'remote_write:\n  - url: http://a\n    tls: {}\n');
      assert.throws(() => loadTargets([], file), /remote_write target 1: unknown field tls/);
      writeFileSync(file, 'remote_write:\n  - url: http://a\n    match: ["{job=~\'(\'}"]\n');
      assert.throws(() => loadTargets([], file), /remote_write target 1: match/);
      writeFileSync(file, 'remote_write:\n  - url: http://a\n    protobuf_message: v3\n');
      assert.throws(
        () => loadTargets([], file),
        /target 1: protobuf_message must be one of prometheus.WriteRequest/,
      );
      writeFileSync(file, 'remote_write:\n  - url: http://a\n    headers: { Content-Type: text/plain }\n');
      assert.throws(() => loadTargets([], file), /target 1: header Content-Type is set by the sender/);
      writeFileSync(
        file,
        'remote_write:\n  - url: http://a\n    protobuf_message: prometheus.WriteRequest\n',
      );
      assert.equal(loadTargets([], file)[0]!.protobufMessage, 'v1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => loadTargets(['ftp://x'], ''), /url must be http/);
    assert.throws(() => loadTargets(['http://a', 'http://a'], ''), /configured twice/);
    const t = loadTargets(['http://u:p%40ss@vm:8428/api/v1/write'], '')[0]!;
    assert.equal(t.url, 'http://vm:8428/api/v1/write');
    assert.equal(t.protobufMessage, 'auto');
    assert.equal(t.headers.authorization, `Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });
});
