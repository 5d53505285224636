/**
 * A bounded map for caches of series: two generations of at most `capacity` entries each; a hit
 * in the old generation moves the entry to the new one, and when the new one is full the old one
 * is dropped. Hot entries survive, a flood of one-off keys costs at most 2 × capacity entries.
 */
export class Generations<K, V> {
  private current = new Map<K, V>();
  private old = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.current.get(key);
    if (v !== undefined) return v;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: K, v: V): void {
    if (this.current.size >= this.capacity) {
      this.old = this.current;
      this.current = new Map();
    }
    this.current.set(key, v);
  }
}
