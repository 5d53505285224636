/**
 * The contract between a wire format and the rest of the server. A protocol is transport-free:
 * it gets the (already decompressed) request bytes and a few request facts, and storage only
 * through {@link Appendable}; it answers with an {@link IngestReply} or throws a typed
 * {@link IngestError}. The HTTP adapter (api/ingest.ts) does everything around it the same way for
 * every protocol: keys, Host check, content-type check against {@link IngestProtocol.contentTypes},
 * body reading with the size limits, mapping error codes to statuses (api/errors.ts).
 *
 * What every protocol shares instead of re-implementing it:
 * - building samples through a {@link SampleBatch} (ingest/batch.ts), which validates every
 *   series, timestamp and metadata entry against {@link IngestLimits} (names, lengths, label
 *   count, UTF-8, representable time range, help/unit sizes, samples per request);
 * - storing through {@link commitBatch} (ingest/commit.ts), which appends, commits, reports to
 *   {@link IngestReporter} once per request, and turns refused samples (series limits, out of
 *   order…) into the error a client gets.
 *
 * A protocol module exports one `IngestProtocol` value; api/routes.ts mounts it with `registerIngest`.
 */

import type { Appendable } from '../storage/types.js';
import type { IngestError } from './errors.js';
import type { IngestLimits } from './limits.js';
import type { IngestReporter } from './report.js';

/** What a protocol sees of a request. */
export interface IngestRequest {
  /** The body, decompressed (Content-Encoding is handled before the protocol runs). */
  readonly body: Buffer;
  /** The media type of the body, lower case, without parameters (`application/json`). */
  readonly contentType: string;
  /** Request headers, lower-case names (e.g. `x-prometheus-remote-write-version`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `POST`, `PUT`, `DELETE`… (Pushgateway's group semantics depend on it). */
  readonly method: string;
  /** Path parameters of the route (`job`, `*`…) and the query string. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The time of the request in ms: stands in for missing timestamps. */
  readonly now: number;
}

/** What a protocol may use: storage, the limits, and the one reporter. */
export interface IngestContext {
  readonly appendable: Appendable;
  readonly limits: IngestLimits;
  readonly report: IngestReporter;
}

/**
 * A successful answer. With a body the transport answers 200, without one 204 (remote write,
 * Influx). `headers` are protocol headers (e.g. remote write 2.0's written-samples counts).
 */
export interface IngestReply {
  readonly body?: Buffer | string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface IngestProtocol {
  /** Short name used in self-metrics and logs (`json`, `otlp`, `remote_write`…). */
  readonly name: string;
  /**
   * Media types the protocol accepts (lower case, no parameters). Anything else is refused with
   * 415 before the body is read: a browser can send `text/plain` cross-site without a preflight,
   * so no push endpoint may accept it unless the protocol's own clients send it.
   */
  readonly contentTypes: readonly string[];
  /** Content-Encodings the protocol decodes itself (remote write: `snappy`); see `headers`. */
  readonly contentEncodings?: readonly string[];
  /** When true, a request without Content-Type is accepted (for clients that never send one). */
  readonly allowMissingContentType?: boolean;
  /**
   * Handles one request: parse, validate and store through `ctx`. Resolves with the reply once
   * the stored samples are durable. Throws a typed {@link IngestError} (or a storage error) for
   * what the client must be told, after storing the good part of the request where the protocol
   * keeps partial requests (documented per protocol in the README).
   */
  handle(req: IngestRequest, ctx: IngestContext): Promise<IngestReply>;
  /**
   * Optional: the body of an error answer in the protocol's own encoding (OTLP answers a
   * protobuf `Status`), for any refusal of a request to this protocol, also those made before
   * `handle` runs (media type, body size). `contentType` is the request's media type. The status
   * code still comes from the error's code. Default: the native `{"error","message"}` JSON.
   */
  errorReply?(err: Error, status: number, contentType: string): IngestReply;
}
