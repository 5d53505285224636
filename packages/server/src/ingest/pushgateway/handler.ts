/**
 * `PUT`/`POST`/`DELETE /metrics/job/<job>{/<label>/<value>}`: the Pushgateway's push API as an
 * {@link IngestProtocol}, with the text format or delimited protobuf (see promtext/) and the
 * group semantics of {@link PushGroups}. A push is all or nothing, as with the Pushgateway: any
 * malformed line or invalid sample is a 400 and the group is left as it was (a replacing PUT of
 * half a group would silently delete the other half). Groups are kept on disk (persist.ts) and
 * loaded back at start.
 */

import type { SampleBatch } from '../batch.js';
import { commitBatch, summaryError } from '../commit.js';
import { parseDelimitedProtobuf } from '../promtext/protobuf.js';
import { parseTextExposition } from '../promtext/text.js';
import type { IngestContext, IngestProtocol } from '../protocol.js';
import { PushGroups } from './groups.js';
import { parseGroupingKey } from './path.js';
import { GroupFile } from './persist.js';

const PROTOBUF = 'application/vnd.google.protobuf';

/** How often live groups are written again (within PromQL's 5-minute lookback) and expired. */
const REFRESH_MS = 60_000;

export interface PushgatewayOptions {
  /** Groups not pushed to for this long are removed; 0 keeps them until they are deleted. */
  readonly ttlMs: number;
  /** The SQLite file groups are kept in (`<data-dir>/pushgateway.sqlite`); null: memory only. */
  readonly file: string | null;
  /** Storage and limits, for the periodic refresh (pushes use their request's context). */
  readonly ctx: IngestContext;
  readonly warn: (message: string) => void;
}

/** The running Pushgateway endpoint: its protocol, and `close` to stop the refresh and the file. */
export interface Pushgateway {
  readonly protocol: IngestProtocol;
  close(): void;
}

/**
 * Opens the groups of an earlier run (if any) and writes their current values at once, so a
 * restart does not leave them unexposed until the next refresh.
 */
export async function openPushgateway(o: PushgatewayOptions): Promise<Pushgateway> {
  const file = o.file === null ? null : new GroupFile(o.file);
  const groups = new PushGroups(o.ctx.limits, o.ttlMs > 0 ? o.ttlMs : Number.POSITIVE_INFINITY, file);
  groups.restore(file?.load(o.warn) ?? []);
  let timer: NodeJS.Timeout | null = null;
  const store = async (batch: SampleBatch, ctx: IngestContext) => {
    const summary = await commitBatch(batch, ctx, 'pushgateway');
    const err = summaryError(summary, ctx.limits, 'samples');
    if (err !== null) throw err;
  };
  const refresh = async () => {
    const batch = groups.tick(Date.now());
    if (groups.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
    if (batch.length > 0) await store(batch, o.ctx);
  };
  const startTimer = () => {
    if (timer !== null) return;
    timer = setInterval(() => {
      // A failed refresh is retried at the next tick; the pushed values are still in memory.
      refresh().catch((err: unknown) =>
        o.warn(`pushgateway: cannot refresh groups: ${(err as Error).message}`),
      );
    }, REFRESH_MS);
    timer.unref();
  };
  if (groups.size > 0) {
    await refresh().catch((err: unknown) =>
      o.warn(`pushgateway: cannot write the loaded groups: ${(err as Error).message}`),
    );
    startTimer();
  }
  const protocol: IngestProtocol = {
    name: 'pushgateway',
    contentTypes: ['text/plain', PROTOBUF],
    allowMissingContentType: true,
    async handle(req, ctx) {
      const key = parseGroupingKey(req.params['*'] ?? '');
      if (req.method === 'DELETE') {
        await store(groups.delete(key, req.now), ctx);
        return { body: '', contentType: 'text/plain' };
      }
      const exp =
        req.contentType === PROTOBUF
          ? parseDelimitedProtobuf(req.body)
          : parseTextExposition(req.body.toString('utf8'));
      const batch = groups.push(key, exp, req.method === 'PUT', req.now);
      await store(batch, ctx);
      startTimer();
      return { body: '', contentType: 'text/plain' };
    },
  };
  return {
    protocol,
    close() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      file?.close();
    },
  };
}
