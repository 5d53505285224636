/**
 * The blobs the chunk store keeps (see FORMAT.md): a chunk sequence (several chunks in one row,
 * so the per-row overhead of SQLite is paid once per persistence, not once per chunk), and a
 * label set as ids into the symbol table.
 */

import type { Label, Labels } from '../../model/labels.js';
import { ByteReader, ByteWriter, RecordDecodeError } from '../record/buffer.js';

/** Concatenates chunks as `uvarint length | chunk bytes` each. */
export function encodeChunkSeq(chunks: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(chunks.reduce((a, c) => a + c.length + 3, 0) + 8);
  for (const c of chunks) {
    w.uvarint(c.length);
    w.ensure(c.length);
    w.buf.set(c, w.pos);
    w.pos += c.length;
  }
  return w.bytes().slice();
}

/** Splits a chunk sequence into views over `blob`; throws RecordDecodeError when it is damaged. */
export function decodeChunkSeq(blob: Uint8Array, out: Uint8Array[] = []): Uint8Array[] {
  const r = new ByteReader(blob);
  while (!r.done) {
    const n = r.uvarint();
    if (r.pos + n > blob.length) throw new RecordDecodeError('cannot decode chunk sequence: it ends early');
    out.push(blob.subarray(r.pos, r.pos + n));
    r.pos += n;
  }
  return out;
}

/** Interns strings as dense ids; the store persists new ones with the series that use them. */
export class Symbols {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  /** Symbols added since the last {@link takeNew}. */
  private fresh: number[] = [];

  load(id: number, value: string): void {
    this.ids.set(value, id);
    this.values[id] = value;
  }

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.load(id, value);
      this.fresh.push(id);
    }
    return id;
  }

  takeNew(): number[] {
    const f = this.fresh;
    this.fresh = [];
    return f;
  }
}

export function encodeLabels(ls: Labels, syms: Symbols): Uint8Array {
  const w = new ByteWriter(4 + ls.length * 4);
  w.uvarint(ls.length);
  for (const l of ls) {
    w.uvarint(syms.id(l.name));
    w.uvarint(syms.id(l.value));
  }
  return w.bytes().slice();
}

export function decodeLabels(blob: Uint8Array, syms: Symbols): Labels {
  const r = new ByteReader(blob);
  const n = r.uvarint();
  const out: Label[] = [];
  for (let i = 0; i < n; i++) {
    const name = syms.values[r.uvarint()];
    const value = syms.values[r.uvarint()];
    if (name === undefined || value === undefined)
      throw new RecordDecodeError('cannot decode labels: unknown symbol');
    out.push({ name, value });
  }
  return out;
}
