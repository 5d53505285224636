/**
 * `POST /api/v1/write`: Prometheus remote write 1.0 and 2.0 as an {@link IngestProtocol}
 * (specs: ../shared/specs/prometheus-remote-write-1.0.md and the 2.0 draft). The body must be
 * snappy-compressed protobuf; `Content-Type: application/x-protobuf;proto=io.prometheus.write.v2.Request`
 * selects 2.0, no `proto` parameter or `proto=prometheus.WriteRequest` 1.0, any other message 415.
 * Answers 204 when every sample is stored, with 2.0's `X-Prometheus-Remote-Write-*-Written`
 * headers. A request with invalid series stores the valid ones and answers 400 naming the others
 * (the spec: senders must not retry a 4xx); storage errors answer 5xx, which senders retry.
 */

import type { Appendable } from '../../storage/types.js';
import type { SampleBatch } from '../batch.js';
import { commitBatch, summaryError } from '../commit.js';
import { IngestError } from '../errors.js';
import type { IngestContext, IngestProtocol } from '../protocol.js';
import { RawSeriesCache } from '../series/raw_cache.js';
import { decodeRemoteWriteV1, decodeRemoteWriteV2 } from './decode.js';
import { uncompressSnappy } from './snappy.js';

/** A cache per database: series refs must never cross from one store to another. */
const caches = new WeakMap<Appendable, RawSeriesCache>();

const V1 = 'prometheus.WriteRequest';
const V2 = 'io.prometheus.write.v2.Request';

/** The `proto` parameter of a Content-Type header ('' when absent). */
function protoParam(contentType: string | string[] | undefined): string {
  const text = Array.isArray(contentType) ? contentType.join(';') : (contentType ?? '');
  const m = /;\s*proto\s*=\s*"?([^;"\s]+)/i.exec(text);
  return m === null ? '' : m[1]!;
}

export const remoteWriteProtocol: IngestProtocol = {
  name: 'remote_write',
  contentTypes: ['application/x-protobuf'],
  contentEncodings: ['snappy'],
  async handle(req, ctx) {
    const proto = protoParam(req.headers['content-type']);
    if (proto !== '' && proto !== V1 && proto !== V2) {
      throw new IngestError(
        'unsupported_media_type',
        `cannot ingest remote write: unsupported proto ${JSON.stringify(proto)} (use ${V1} or ${V2})`,
      );
    }
    const encoding = String(req.headers['content-encoding'] ?? '')
      .toLowerCase()
      .trim();
    if (encoding !== 'snappy') {
      throw new IngestError(
        'unsupported_media_type',
        `cannot ingest remote write: Content-Encoding must be snappy (got ${JSON.stringify(encoding || '(none)')})`,
      );
    }
    const parsed = parse(req.body, proto === V2, ctx);
    const summary = await commitBatch(parsed.batch, ctx, 'remote_write');
    parsed.remember();
    const err = summaryError(summary, ctx.limits, 'series');
    if (err !== null) throw err;
    if (proto !== V2) return {};
    return {
      headers: {
        'X-Prometheus-Remote-Write-Samples-Written': String(summary.result.appended),
        'X-Prometheus-Remote-Write-Histograms-Written': '0',
        'X-Prometheus-Remote-Write-Exemplars-Written': '0',
      },
    };
  },
};

/** The body as a batch (1.0's series cached by their label bytes), and what to do once committed. */
function parse(body: Buffer, v2: boolean, ctx: IngestContext): { batch: SampleBatch; remember(): void } {
  const raw = uncompressSnappy(body, ctx.limits.maxDecompressedBytes);
  if (v2) {
    const parsed = decodeRemoteWriteV2(raw, ctx.limits);
    return { batch: parsed.batch, remember() {} };
  }
  let cache = caches.get(ctx.appendable);
  if (cache === undefined) {
    cache = new RawSeriesCache();
    caches.set(ctx.appendable, cache);
  }
  const parsed = decodeRemoteWriteV1(raw, ctx.limits, cache);
  return { batch: parsed.batch, remember: () => parsed.slots.rememberRefs() };
}
