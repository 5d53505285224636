/**
 * `POST /v1/metrics`: OTLP/HTTP metrics as an {@link IngestProtocol}, in protobuf
 * (`application/x-protobuf`) or JSON (`application/json`), gzip or not. Per the OTLP
 * specification, a request with some invalid points stores the valid ones and answers 200 with
 * `partial_success` (`rejected_data_points` and an `error_message` naming them); a request that is
 * not OTLP at all is a 400 with a `google.rpc.Status` body in the request's encoding.
 */

import { commitBatch, refusedSamplesError } from '../commit.js';
import { ProtoWriter } from '../protobuf/writer.js';
import type { IngestContext, IngestProtocol, IngestReply, IngestRequest } from '../protocol.js';
import { DeltaState } from '../series/delta.js';
import { decodeOtlpJson } from './decode_json.js';
import { decodeOtlpProtobuf } from './decode_proto.js';
import { type OtlpOptions, translateOtlp } from './translate.js';

const MAX_LISTED = 10;

/** The protocol, with the running totals of delta series that it keeps between requests. */
export function otlpProtocol(options: OtlpOptions, deltas = new DeltaState()): IngestProtocol {
  return {
    name: 'otlp',
    contentTypes: ['application/x-protobuf', 'application/json'],
    handle(req, ctx) {
      return exportMetrics(req, ctx, req.contentType === 'application/json', options, deltas);
    },
    errorReply(err, status, contentType) {
      // A google.rpc.Status in the request's encoding (the OTLP spec: the same Content-Type).
      const code = rpcCode(status);
      if (contentType === 'application/json') {
        return { body: JSON.stringify({ code, message: err.message }), contentType: 'application/json' };
      }
      const w = new ProtoWriter(256);
      w.varintField(1, code);
      w.string(2, err.message);
      return { body: Buffer.from(w.finish()), contentType: 'application/x-protobuf' };
    },
  };
}

async function exportMetrics(
  req: IngestRequest,
  ctx: IngestContext,
  json: boolean,
  options: OtlpOptions,
  deltas: DeltaState,
): Promise<IngestReply> {
  const decoded = json ? decodeOtlpJson(req.body.toString('utf8')) : decodeOtlpProtobuf(req.body);
  const batch = translateOtlp(decoded, ctx.limits, deltas, req.now, options);
  const summary = await commitBatch(batch, ctx, 'otlp');
  const refused = refusedSamplesError(summary.result, ctx.limits);
  // Series limits are the server's state, not the client's fault: keep their status (429).
  if (refused !== null && refused.code === 'too_many_series') throw refused;
  const issues = summary.issues;
  if (issues.length === 0 && refused === null) return reply(json, 0, '');
  // Points refused before storage, plus the samples storage refused (too old, too far ahead…):
  // counted as samples, since a histogram point is several; a partial_success with 0 rejected
  // would tell the client that everything was accepted.
  let storageRefused = 0;
  for (const n of Object.values(summary.result.rejected)) storageRefused += n ?? 0;
  const rejected = issues.length + storageRefused;
  const listed = issues
    .slice(0, MAX_LISTED)
    .map((i) => `${i.where}${i.field ? `.${i.field}` : ''}: ${i.message}`);
  if (issues.length > MAX_LISTED) listed.push(`and ${issues.length - MAX_LISTED} more`);
  if (refused !== null) listed.push(refused.message);
  return reply(json, rejected, `${rejected} data points rejected: ${listed.join('; ')}`);
}

/** An `ExportMetricsServiceResponse`, with `partial_success` when points were rejected. */
function reply(json: boolean, rejected: number, message: string): IngestReply {
  if (json) {
    const body =
      rejected === 0 && message === ''
        ? {}
        : { partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } };
    return { body: JSON.stringify(body), contentType: 'application/json' };
  }
  const w = new ProtoWriter(256);
  if (rejected > 0 || message !== '') {
    const m = w.beginMessage(1);
    if (rejected > 0) w.varintField(1, rejected);
    w.string(2, message);
    w.endMessage(m);
  }
  return { body: Buffer.from(w.finish()), contentType: 'application/x-protobuf' };
}

/** The google.rpc.Code of an answer's HTTP status. */
function rpcCode(status: number): number {
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 502 || status === 503) return 14; // UNAVAILABLE
  if (status >= 400 && status < 500) return 3; // INVALID_ARGUMENT (bad body, too large, wrong type)
  return 13; // INTERNAL
}
