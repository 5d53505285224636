/**
 * Reading request bodies, shared by every route that takes one: `Content-Encoding` gzip/deflate
 * decompressed, and reading stops as soon as a size limit is passed (413) so that an oversized or
 * bomb body costs little. Knows nothing of what the bytes mean.
 */

import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { RequestError } from './errors.js';

export interface BodyLimits {
  /** Largest body as received (compressed). */
  readonly maxBytes: number;
  /** Largest body after decompression. */
  readonly maxDecompressedBytes: number;
  /** The flag that sets the limit, named in the 413 message. */
  readonly flag?: string;
  /** Content-Encodings the caller decodes itself (remote write's snappy): the body is returned as sent. */
  readonly passEncodings?: readonly string[];
}

/** Reads the whole request body, decompressed. Throws {@link RequestError} (413, 415, 400). */
export async function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const flag = limits.flag ?? '--max-body-size';
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    req.resume();
    throw tooLarge(declared, limits.maxBytes, 'body', flag);
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  let decoder: Transform | null = null;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '' && !limits.passEncodings?.includes(encoding)) {
    req.resume();
    throw new RequestError(
      'unsupported_media_type',
      `cannot read body: unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip)`,
    );
  }

  const raw = await collect(req, limits.maxBytes, 'body', flag);
  if (decoder === null) return raw;
  const out = collect(decoder, limits.maxDecompressedBytes, 'decompressed body', flag);
  decoder.end(raw);
  try {
    return await out;
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw new RequestError('bad_request', `cannot decompress body (${encoding}): ${(err as Error).message}`);
  }
}

function collect(stream: NodeJS.ReadableStream, max: number, what: string, flag: string): Promise<Buffer> {
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
        reject(tooLarge(size, max, what, flag));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => {
      if (!done) {
        done = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
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

function tooLarge(size: number, max: number, what: string, flag: string): RequestError {
  return new RequestError(
    'payload_too_large',
    `${what} too large: ${size} bytes or more (limit ${max} bytes, ${flag})`,
  );
}

/** The media type of a request (`application/json`), lower case and without parameters; '' when absent. */
export function mediaType(req: IncomingMessage): string {
  const raw = req.headers['content-type'];
  if (raw === undefined) return '';
  const semi = raw.indexOf(';');
  return (semi < 0 ? raw : raw.slice(0, semi)).trim().toLowerCase();
}
