/**
 * `POST /api/v1/write`: Prometheus remote write 1.0 and 2.0 as an {@link IngestProtocol}
 * (specs: ../shared/specs/prometheus-remote-write-1.0.md and the 2.0 draft). The body must be
 * snappy-compressed protobuf; `Content-Type: application/x-protobuf;proto=io.prometheus.write.v2.Request`
 * selects 2.0, no `proto` parameter or `proto=prometheus.WriteRequest` 1.0, any other message 415.
 * Answers 204 when every sample is stored. 2.0's `X-Prometheus-Remote-Write-*-Written` headers
 * are on every answer to a 2.0 request, errors included (the 2.0 spec, "Required Written
 * Response Headers"), counting what was stored. A request with invalid series stores the valid
 * ones and answers 400 naming the others (the spec: senders must not retry a 4xx); storage
 * errors answer 5xx, which senders retry.
 */

import type { SampleBatch } from '../batch.js';
import { commitBatch, summaryError } from '../commit.js';
import { ErrorWithHeaders, IngestError } from '../errors.js';
import type { IngestContext, IngestProtocol, IngestRequest } from '../protocol.js';
import { RawSeriesCache } from '../series/raw_cache.js';
import { perStore } from '../series/slot.js';
import { decodeRemoteWriteV1, decodeRemoteWriteV2 } from './decode.js';
import { uncompressSnappy } from './snappy.js';

/** Series caches per database: refs never cross from one store to another. */
const cacheOf = perStore(() => new RawSeriesCache());

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
    if (proto !== V2) {
      const { error } = await write(req, ctx, false);
      if (error !== null) throw error;
      return {};
    }
    // 2.0: every answer says how many samples were written, errors included: a partial write's
    // 400 or 429 counts what was stored despite it; a wrong encoding (415), a malformed body or
    // a storage failure (nothing acknowledged) counts 0.
    let outcome: Written;
    try {
      outcome = await write(req, ctx, true);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      throw new ErrorWithHeaders(err, writtenHeaders(0));
    }
    if (outcome.error !== null) throw new ErrorWithHeaders(outcome.error, writtenHeaders(outcome.stored));
    return { headers: writtenHeaders(outcome.stored) };
  },
};

/** What a request stored, and the error for what it did not (null when it stored everything). */
interface Written {
  readonly stored: number;
  readonly error: IngestError | null;
}

async function write(req: IngestRequest, ctx: IngestContext, v2: boolean): Promise<Written> {
  const encoding = String(req.headers['content-encoding'] ?? '')
    .toLowerCase()
    .trim();
  if (encoding !== 'snappy') {
    throw new IngestError(
      'unsupported_media_type',
      `cannot ingest remote write: Content-Encoding must be snappy (got ${JSON.stringify(encoding || '(none)')})`,
    );
  }
  const parsed = parse(req.body, v2, ctx);
  const summary = await commitBatch(parsed.batch, ctx, 'remote_write');
  parsed.remember();
  return { stored: summary.result.appended, error: summaryError(summary, ctx.limits, 'series') };
}

/**
 * 2.0's `X-Prometheus-Remote-Write-*-Written` headers. Native histograms are refused and
 * exemplars ignored (TinyObs stores neither), so those two counts are always 0.
 */
function writtenHeaders(samples: number): Record<string, string> {
  return {
    'X-Prometheus-Remote-Write-Samples-Written': String(samples),
    'X-Prometheus-Remote-Write-Histograms-Written': '0',
    'X-Prometheus-Remote-Write-Exemplars-Written': '0',
  };
}

/** The body as a batch (1.0's series cached by their label bytes), and what to do once committed. */
function parse(body: Buffer, v2: boolean, ctx: IngestContext): { batch: SampleBatch; remember(): void } {
  const raw = uncompressSnappy(body, ctx.limits.maxDecompressedBytes);
  if (v2) {
    const parsed = decodeRemoteWriteV2(raw, ctx.limits);
    return { batch: parsed.batch, remember() {} };
  }
  const cache = cacheOf(ctx.appendable);
  const parsed = decodeRemoteWriteV1(raw, ctx.limits, cache);
  return { batch: parsed.batch, remember: () => parsed.slots.rememberRefs() };
}
