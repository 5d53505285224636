/**
 * Mounting an {@link IngestProtocol} on HTTP: the one adapter every push endpoint goes through.
 * It refuses a body whose media type is not the protocol's (415) before reading it, reads and
 * decompresses the body within the size limits, runs the protocol, and writes its reply (200 with
 * a body, 204 without). Errors keep their typed code; the server maps the code to a status
 * (api/errors.ts), and a protocol with its own error encoding (OTLP) gets to write the body.
 */

import { mediaType, readBody } from '../http/body.js';
import { RequestError } from '../http/errors.js';
import { ErrorWithHeaders } from '../ingest/errors.js';
import type { IngestContext, IngestProtocol, IngestReply } from '../ingest/protocol.js';
import { statusOf } from './errors.js';
import type { Handler, Router } from './router.js';

/**
 * Registers a push endpoint: `protocol` mounted with {@link ingestRoute}, needing the write key.
 * Every wire format is registered this way, so none can skip the keys, the origin check or the
 * body limits.
 */
export function registerIngest(
  router: Router,
  methods: string | readonly string[],
  pattern: string,
  protocol: IngestProtocol,
  ctx: IngestContext,
): void {
  router.on(methods, pattern, ingestRoute(protocol, ctx), 'write');
}

/** The HTTP handler of one protocol (see {@link registerIngest}). */
export function ingestRoute(protocol: IngestProtocol, ctx: IngestContext): Handler {
  const accepted = new Set(protocol.contentTypes);
  return async ({ req, res, url, params }) => {
    const contentType = mediaType(req);
    let reply: IngestReply;
    try {
      if (!accepted.has(contentType) && !(contentType === '' && protocol.allowMissingContentType)) {
        req.resume();
        throw new RequestError(
          'unsupported_media_type',
          `cannot ingest ${protocol.name}: Content-Type ${JSON.stringify(contentType || '(none)')} is not ` +
            `accepted here (use ${protocol.contentTypes.join(' or ')})`,
        );
      }
      const body = await readBody(req, {
        maxBytes: ctx.limits.maxBodyBytes,
        maxDecompressedBytes: ctx.limits.maxDecompressedBytes,
        passEncodings: protocol.contentEncodings,
      });
      reply = await protocol.handle(
        {
          body,
          contentType,
          headers: req.headers,
          method: req.method ?? 'POST',
          params,
          query: url.searchParams,
          now: Date.now(),
        },
        ctx,
      );
    } catch (err) {
      // Headers the protocol wants on its error answer too (remote write 2.0's written counts).
      if (err instanceof ErrorWithHeaders)
        for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      if (protocol.errorReply === undefined || !(err instanceof Error)) throw err;
      const status = statusOf(err);
      writeReply(res, status, protocol.errorReply(err, status, contentType));
      return;
    }
    writeReply(res, reply.body === undefined ? 204 : 200, reply);
  };
}

function writeReply(res: Parameters<Handler>[0]['res'], status: number, reply: IngestReply): void {
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body !== undefined) {
    headers['content-type'] = reply.contentType ?? 'application/octet-stream';
    headers['content-length'] = Buffer.byteLength(reply.body);
  }
  res.writeHead(status, headers);
  res.end(reply.body);
}
