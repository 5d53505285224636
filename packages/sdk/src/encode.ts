import type { MetricPoint } from './types.js';

/** One request body ready to compress, and how many points it carries. */
export interface EncodedBatch {
  json: string;
  points: number;
}

/**
 * Encodes points into `{"metrics":[…]}` bodies of the TinyObs wire format (RFC 3339
 * timestamps, so the original TinyObs server accepts them too), each under `maxPoints` points
 * and about `maxBytes` bytes of JSON, so that no request hits the server's limits.
 * Help and unit travel with the first point of each metric in each body only.
 */
export function encodeBatches(
  points: readonly MetricPoint[],
  maxPoints: number,
  maxBytes: number,
): EncodedBatch[] {
  const out: EncodedBatch[] = [];
  let parts: string[] = [];
  let bytes = 0;
  let withMeta = new Set<string>();
  const isoCache = new Map<number, string>();
  const flush = () => {
    if (parts.length === 0) return;
    out.push({ json: `{"metrics":[${parts.join(',')}]}`, points: parts.length });
    parts = [];
    bytes = 0;
    withMeta = new Set();
  };
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue; // JSON has no NaN/Inf; instruments never store them
    let iso = isoCache.get(p.timestamp);
    if (iso === undefined) {
      iso = new Date(p.timestamp).toISOString();
      isoCache.set(p.timestamp, iso);
    }
    const wire: Record<string, unknown> = {
      name: p.name,
      type: p.type,
      value: p.value,
      labels: p.labels,
      timestamp: iso,
    };
    const metaKey = p.name;
    if ((p.help !== undefined || p.unit !== undefined) && !withMeta.has(metaKey)) {
      if (p.help !== undefined) wire.help = p.help;
      if (p.unit !== undefined) wire.unit = p.unit;
      withMeta.add(metaKey);
    }
    const s = JSON.stringify(wire);
    // Byte length is about the string length for the ASCII names and labels metrics use.
    if (parts.length > 0 && (parts.length >= maxPoints || bytes + s.length + 1 > maxBytes)) flush();
    parts.push(s);
    bytes += s.length + 1;
  }
  flush();
  return out;
}
