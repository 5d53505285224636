/**
 * Small byte strings kept for as long as a series is cached (point templates, spellings), carved
 * one after the other out of shared slabs instead of one buffer each: written in the order a
 * client sends its series, they are then read front to back, and a new series costs no buffer
 * object of its own. A slab is freed by the GC once nothing carved from it is used (so one live
 * piece keeps its slab: a client that relearns all but one series of each slab, again and again,
 * could pin up to a slab per cached series; no client does that by accident).
 */

export class Slabs {
  /** Where the last {@link carve} put its bytes: `bytes[base, base + n)` (`view` over `bytes`). */
  bytes = new Uint8Array(0);
  view = new DataView(this.bytes.buffer);
  base = 0;
  private slab = this.bytes;
  private slabView = this.view;
  private used = 0;

  constructor(private readonly slabBytes = 64 * 1024) {}

  /** Room for `n` bytes (a piece over an eighth of a slab gets an array of its own). */
  carve(n: number): void {
    if (n > this.slabBytes / 8) {
      this.bytes = new Uint8Array(n);
      this.view = new DataView(this.bytes.buffer);
      this.base = 0;
      return;
    }
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(this.slabBytes);
      this.slabView = new DataView(this.slab.buffer);
      this.used = 0;
    }
    this.bytes = this.slab;
    this.view = this.slabView;
    this.base = this.used;
    this.used += n;
  }
}
