/**
 * Reading request bodies, shared by every route that takes one: `Content-Encoding` gzip/deflate
 * decompressed, and reading stops as soon as a size limit is passed (413) so that an oversized or
 * bomb body costs little. Knows nothing of what the bytes mean.
 */

import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { RequestError } from './errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
/** Bounds of zlib's output chunk size when decompressing a body. */
const MIN_CHUNK = 16 * 1024;
const MAX_CHUNK = 256 * 1024;
/** The largest output a body's gzip trailer may size its chunk for, as a multiple of the body. */
const MAX_RATIO_HINT = 64;
/** A gzip member's header (10 bytes) and trailer (CRC-32 and size, 8 bytes). */
const GZIP_MIN_BYTES = 18;

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
  const inflate =
    encoding === 'gzip' || encoding === 'x-gzip' ? gunzipAsync : encoding === 'deflate' ? inflateAsync : null;
  if (
    inflate === null &&
    encoding !== 'identity' &&
    encoding !== '' &&
    !limits.passEncodings?.includes(encoding)
  ) {
    req.resume();
    throw new RequestError(
      'unsupported_media_type',
      `cannot read body: unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip)`,
    );
  }

  const raw = await collect(req, limits.maxBytes, 'body', flag);
  if (inflate === null) return raw;
  // One decompression task on libuv's thread pool (off the event loop), into one buffer; zlib
  // stops at the limit, so a bomb costs at most that much. zlib hands its output back to the
  // event loop a chunk at a time, and each chunk costs a callback and a copy: the default 16 KiB
  // chunks made a 2 MB JSON body cost about 5 times the CPU of 256 KiB chunks.
  const chunkSize = outputChunkSize(raw, inflate === gunzipAsync, limits.maxDecompressedBytes);
  try {
    return await inflate(raw, { maxOutputLength: limits.maxDecompressedBytes, chunkSize });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw tooLarge(limits.maxDecompressedBytes + 1, limits.maxDecompressedBytes, 'decompressed body', flag);
    throw new RequestError('bad_request', `cannot decompress body (${encoding}): ${(err as Error).message}`);
  }
}

/**
 * zlib's output chunk for a compressed body. A gzip body ends with its decompressed size (mod
 * 2^32): one chunk of that size plus one byte holds the whole output, which zlib then hands back
 * as is, with no copy into a joined buffer. The size is only a hint, never trusted beyond what the
 * body plausibly holds (64 times its size: the benchmark's JSON compresses 17 to 25 times, so a lying
 * trailer gets a small body no more than that) and the limit; a wrong one costs the copy.
 * Otherwise (deflate) the chunk is sized by the compressed body.
 */
function outputChunkSize(raw: Buffer, gzip: boolean, limit: number): number {
  if (gzip && raw.length >= GZIP_MIN_BYTES) {
    const size = raw.readUInt32LE(raw.length - 4);
    return Math.max(MIN_CHUNK, Math.min(size + 1, raw.length * MAX_RATIO_HINT, limit + 1));
  }
  return Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, raw.length * 4));
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
