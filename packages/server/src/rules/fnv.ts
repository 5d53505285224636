/** 64-bit FNV-1a, the hash of Prometheus' and Alertmanager's label fingerprints. */

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

export function fnv1a64(bytes: Uint8Array): bigint {
  let h = OFFSET;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * PRIME) & MASK;
  }
  return h;
}

/**
 * The fingerprint of a label set as Alertmanager computes it (`model.LabelSet.Fingerprint`):
 * FNV-1a over `name 0xff value 0xff` in name order, as 16 hex digits.
 */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(labels).sort()) {
    parts.push(Buffer.from(name), Buffer.from([0xff]), Buffer.from(labels[name]!), Buffer.from([0xff]));
  }
  return fnv1a64(Buffer.concat(parts)).toString(16).padStart(16, '0');
}
