/**
 * Chunk encodings of the embedded TSDB: Gorilla XOR, decimal and packed XOR, behind one header
 * and one iterator. FORMAT.md describes the bytes and, at its end, how the head uses this API.
 */

export { decimalScale, MAX_SCALE } from './decimal.js';
export { ChunkEncoder, validTimestamps } from './encoder.js';
export {
  ChunkHeader,
  chunkEncoding,
  chunkMaxTime,
  chunkMinTime,
  chunkNumSamples,
  Encoding,
  type EncodingId,
  MAX_ABS_TIME,
  MAX_SAMPLES,
} from './header.js';
export { ChunkIterator } from './iterator.js';
export { XorAppender } from './xor.js';
