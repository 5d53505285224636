/**
 * Buffers for the head's open chunks, carved out of shared 256 KiB slabs. A Uint8Array of its
 * own costs an ArrayBuffer object, a native backing-store record and a malloc block besides its
 * bytes (~0.25 KiB per series of RSS on the benchmark workload), and doubling growth left the
 * open chunk ~1/3 empty. A series' open chunk therefore grows in ordinary buffers while its first
 * chunk fills; at each cut it moves into a slab slot sized for the chunk just cut, plus slack.
 * Freed slots (a series whose chunk outgrew its slot) are zeroed and reused by size.
 */

/** Slot sizes are multiples of this. */
const GRAIN = 16;
/** Slot sizes above this get a buffer of their own (a slab would waste too much tail). */
const MAX_SLOT = 4096;
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

export class BufferSlabs {
  private slab = new ArrayBuffer(0);
  private used = 0;
  /** Free slots by size / GRAIN. */
  private readonly free: Uint8Array[][] = [];
  /** The slabs this allocator carved (a buffer of its own, or another arena's, is not a slot). */
  private readonly mine = new WeakSet<ArrayBufferLike>();

  /** A zeroed buffer of at least `size` bytes. */
  alloc(size: number): Uint8Array {
    const n = slotSize(size);
    if (n > MAX_SLOT) return new Uint8Array(n);
    const list = this.free[n / GRAIN];
    if (list !== undefined && list.length > 0) return list.pop()!;
    if (this.used + n > this.slab.byteLength) {
      this.slab = new ArrayBuffer(SLAB_BYTES);
      this.mine.add(this.slab);
      this.used = 0;
    }
    const b = new Uint8Array(this.slab, this.used, n);
    this.used += n;
    return b;
  }

  /** True when `b` is a slot of a slab (not a buffer of its own). */
  owns(b: Uint8Array): boolean {
    return this.mine.has(b.buffer);
  }

  /** Gives back a buffer from {@link alloc}; buffers of their own are left to the GC. */
  release(b: Uint8Array): void {
    if (!this.owns(b)) return;
    b.fill(0);
    const k = b.length / GRAIN;
    while (this.free.length <= k) this.free.push([]);
    this.free[k]!.push(b);
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
