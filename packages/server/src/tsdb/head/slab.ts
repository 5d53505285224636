/**
 * Slots for the head's open chunks (see open_chunks.ts), carved out of shared 256 KiB slabs. A
 * Uint8Array of its own per series costs an ArrayBuffer object, a native backing-store record and a
 * malloc block besides its bytes (~0.25 KiB per series of RSS on the benchmark workload), and
 * doubling growth left the open chunk ~1/3 empty. A slot is named by its slab and offset, not by
 * a view: an append then reaches no object of its series' own (see open_chunks.ts). Freed slots
 * (a chunk that outgrew its slot) are zeroed and reused by size.
 */

/** Slot sizes are multiples of this. */
const GRAIN = 16;
/** Largest slot: a whole chunk of the largest samples fits (see open_chunks.ts). */
export const MAX_SLOT = 4096;
const SLAB_BYTES = 256 * 1024;

/**
 * The slot size for a request: rounded up to 4 significant bits (steps of at most 1/8) and to
 * GRAIN. Few sizes make freed slots fit later requests; the rounding wastes ~6 % on average.
 */
export function slotSize(size: number): number {
  const n = Math.max(GRAIN, Math.ceil(size));
  const sh = Math.max(0, 31 - Math.clz32(n) - 3);
  const r = Math.ceil(n / 2 ** sh) * 2 ** sh;
  return Math.ceil(r / GRAIN) * GRAIN;
}

/** Bytes [start, start + size) of slab number `slab` (see {@link BufferSlabs.slabs}). */
export interface Slot {
  readonly slab: number;
  readonly start: number;
  readonly size: number;
}

export class BufferSlabs {
  /** Every slab carved so far, whole; never shrinks (freed slots are reused instead). */
  readonly slabs: Uint8Array[] = [];
  private used = SLAB_BYTES;
  /** Free slots by size / GRAIN, each as slab * SLAB_BYTES + start. */
  private readonly free: number[][] = [];

  /** A zeroed slot of at least `size` bytes (at most {@link MAX_SLOT}). */
  alloc(size: number): Slot {
    const n = slotSize(size);
    if (n > MAX_SLOT) throw new RangeError(`slot of ${n} bytes: at most ${MAX_SLOT}`);
    const list = this.free[n / GRAIN];
    if (list !== undefined && list.length > 0) {
      const at = list.pop()!;
      return { slab: Math.floor(at / SLAB_BYTES), start: at % SLAB_BYTES, size: n };
    }
    if (this.used + n > SLAB_BYTES) {
      this.slabs.push(new Uint8Array(SLAB_BYTES));
      this.used = 0;
    }
    const slot = { slab: this.slabs.length - 1, start: this.used, size: n };
    this.used += n;
    return slot;
  }

  /** Gives back a slot from {@link alloc}, zeroed for its next user. */
  release(slot: Slot): void {
    this.slabs[slot.slab]!.fill(0, slot.start, slot.start + slot.size);
    const k = slot.size / GRAIN;
    while (this.free.length <= k) this.free.push([]);
    this.free[k]!.push(slot.slab * SLAB_BYTES + slot.start);
  }
}

/**
 * Bytes of cut chunks, copied one after the other into shared slabs: they all live until the
 * same persistence drops them, so a slab is freed whole, and the process does not keep a malloc
 * block, an ArrayBuffer and a native backing-store record per cut chunk.
 */
export class ChunkArena {
  private slab = new ArrayBuffer(0);
  private used = 0;
  private next: number;

  /** `firstSlab`: size of the first slab; later ones double up to 256 KiB. */
  constructor(firstSlab = SLAB_BYTES) {
    this.next = firstSlab;
  }

  /** A copy of `b` in the current slab (large chunks keep a buffer of their own). */
  copy(b: Uint8Array): Uint8Array {
    const n = b.length;
    if (n > MAX_SLOT) return b.slice();
    if (this.used + n > this.slab.byteLength) {
      this.slab = new ArrayBuffer(Math.max(this.next, n));
      this.next = Math.min(this.next * 2, SLAB_BYTES);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, n);
    out.set(b);
    this.used += n;
    return out;
  }
}
