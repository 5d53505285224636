import type { MetricPoint } from './types.js';

/** One request body ready to compress, and how many points it carries. */
export interface EncodedBatch {
  json: string;
  points: number;
}

// Label objects are stable per series (and per histogram bucket), so their JSON is computed
// once and reused on every push; it was most of the encoding time.
const labelsJsonCache = new WeakMap<object, string>();
const nameJsonCache = new Map<string, string>();

function labelsJson(labels: Record<string, string>): string {
  let j = labelsJsonCache.get(labels);
  if (j === undefined) {
    j = JSON.stringify(labels);
    labelsJsonCache.set(labels, j);
  }
  return j;
}

function nameJson(name: string): string {
  let j = nameJsonCache.get(name);
  if (j === undefined) {
    j = JSON.stringify(name);
    // Metric names are bounded by the registry; the cap guards against misuse of this module.
    if (nameJsonCache.size < 100_000) nameJsonCache.set(name, j);
  }
  return j;
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
  let lastTimestamp = Number.NaN;
  let tsJson = '';
  const flush = () => {
    if (parts.length === 0) return;
    out.push({ json: `{"temporality":"cumulative","metrics":[${parts.join(',')}]}`, points: parts.length });
    parts = [];
    bytes = 0;
    withMeta = new Set();
  };
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue; // JSON has no NaN/Inf; instruments never store them
    if (p.timestamp !== lastTimestamp) {
      lastTimestamp = p.timestamp;
      tsJson = `"${new Date(p.timestamp).toISOString()}"`;
    }
    let meta = '';
    if ((p.help !== undefined || p.unit !== undefined) && !withMeta.has(p.name)) {
      if (p.help !== undefined) meta += `,"help":${JSON.stringify(p.help)}`;
      if (p.unit !== undefined) meta += `,"unit":${JSON.stringify(p.unit)}`;
      withMeta.add(p.name);
    }
    const s = `{"name":${nameJson(p.name)},"type":"${p.type}","value":${p.value},"labels":${labelsJson(p.labels)},"timestamp":${tsJson}${meta}}`;
    // Byte length is about the string length for the ASCII names and labels metrics use.
    if (parts.length > 0 && (parts.length >= maxPoints || bytes + s.length + 1 > maxBytes)) flush();
    parts.push(s);
    bytes += s.length + 1;
  }
  flush();
  return out;
}
