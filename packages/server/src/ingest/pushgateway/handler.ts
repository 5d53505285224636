/**
 * `PUT`/`POST`/`DELETE /metrics/job/<job>{/<label>/<value>}`: the Pushgateway's push API as an
 * {@link IngestProtocol}, with the text format or delimited protobuf (see promtext/) and the
 * group semantics of {@link PushGroups}. A push is all or nothing, as with the Pushgateway: any
 * malformed line or invalid sample is a 400 and the group is left as it was (a replacing PUT of
 * half a group would silently delete the other half).
 */

import type { SampleBatch } from '../batch.js';
import { commitBatch, summaryError } from '../commit.js';
import { parseDelimitedProtobuf } from '../promtext/protobuf.js';
import { parseTextExposition } from '../promtext/text.js';
import type { IngestContext, IngestProtocol } from '../protocol.js';
import { PushGroups } from './groups.js';
import { parseGroupingKey } from './path.js';

const PROTOBUF = 'application/vnd.google.protobuf';

/** How often live groups are written again (within PromQL's 5-minute lookback) and expired. */
const REFRESH_MS = 60_000;

/** The protocol; `ttlMs` 0 keeps groups until they are deleted. */
export function pushgatewayProtocol(ttlMs: number): IngestProtocol {
  let groups: PushGroups | null = null;
  let timer: NodeJS.Timeout | null = null;
  const store = async (batch: SampleBatch, ctx: IngestContext) => {
    const summary = await commitBatch(batch, ctx, 'pushgateway');
    const err = summaryError(summary, ctx.limits, 'samples');
    if (err !== null) throw err;
  };
  const startTimer = (ctx: IngestContext, g: PushGroups) => {
    if (timer !== null) return;
    timer = setInterval(() => {
      const batch = g.tick(Date.now());
      if (g.size === 0 && timer !== null) {
        clearInterval(timer);
        timer = null;
      }
      // A failed refresh is retried at the next tick; the pushed values are still in memory.
      if (batch.length > 0) store(batch, ctx).catch(() => {});
    }, REFRESH_MS);
    timer.unref();
  };
  return {
    name: 'pushgateway',
    contentTypes: ['text/plain', PROTOBUF],
    allowMissingContentType: true,
    async handle(req, ctx) {
      groups ??= new PushGroups(ctx.limits, ttlMs > 0 ? ttlMs : Number.POSITIVE_INFINITY);
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
      startTimer(ctx, groups);
      return { body: '', contentType: 'text/plain' };
    },
  };
}
