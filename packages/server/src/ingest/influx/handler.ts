/**
 * `POST /write` (InfluxDB 1.x) and `POST /api/v2/write` (2.x): line protocol as an
 * {@link IngestProtocol}. `precision` (query) scales timestamps; `db`, `org` and `bucket` are
 * accepted and ignored. Answers 204 like InfluxDB; a body with malformed lines stores the good
 * lines and answers 400 naming the others by line number.
 */

import { commitBatch, summaryError } from '../commit.js';
import type { IngestProtocol } from '../protocol.js';
import { parseLineProtocol, precisionFactor } from './parse.js';

export const influxProtocol: IngestProtocol = {
  name: 'influx',
  // Telegraf and the Influx clients send text/plain (or nothing): a cross-site form can too, so
  // deployments exposed to browsers rely on the keys and Host checks in front of every route.
  contentTypes: ['text/plain', 'application/octet-stream'],
  allowMissingContentType: true,
  async handle(req, ctx) {
    const factor = precisionFactor(req.query.get('precision'));
    const batch = parseLineProtocol(req.body.toString('utf8'), ctx.limits, factor, req.now);
    const summary = await commitBatch(batch, ctx, 'influx');
    const err = summaryError(summary, ctx.limits, 'lines');
    if (err !== null) throw err;
    return {};
  },
};
