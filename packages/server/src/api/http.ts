/** Request and response helpers shared by every route. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { IngestError } from '../ingest/errors.js';

export interface BodyLimits {
  /** Largest body as received (compressed). */
  readonly maxBytes: number;
  /** Largest body after decompression. */
  readonly maxDecompressedBytes: number;
}

/**
 * Reads the whole request body, decompressing `Content-Encoding: gzip` or `deflate`, and stops
 * reading as soon as a limit is passed (413) so an oversized or bomb body costs little.
 */
export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes)
    throw tooLarge(declared, limits.maxBytes, 'body');
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let decoder: Transform | null = null;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    throw new IngestError(
      'unsupported_media_type',
      `cannot read body: unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip)`,
    );
  }

  const raw = await collect(req, limits.maxBytes, 'body');
  if (decoder === null) return raw;
  const out = collect(decoder, limits.maxDecompressedBytes, 'decompressed body');
  decoder.end(raw);
  try {
    return await out;
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError('bad_request', `cannot decompress body (${encoding}): ${(err as Error).message}`);
  }
}

function collect(stream: NodeJS.ReadableStream, max: number, what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max && !done) {
        done = true;
        stream.removeListener('data', onData);
        // Drain the rest without keeping it, so the client can read our 413.
        stream.resume();
        reject(tooLarge(size, max, what));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    stream.once('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

function tooLarge(size: number, max: number, what: string): IngestError {
  return new IngestError(
    'payload_too_large',
    `${what} too large: ${size} bytes or more (limit ${max} bytes, --max-body-size)`,
  );
}

/** Sends a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a text response. */
export function sendText(res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
