/** Growing the typed arrays ingest keeps per series of a batch. */

/** A typed array twice as long as `a` (at least 16), starting with its elements. */
export function doubled<A extends Int32Array | Uint32Array>(a: A): A {
  const b = new (a.constructor as new (length: number) => A)(Math.max(16, a.length * 2));
  b.set(a);
  return b;
}
