/**
 * Growing typed arrays that are kept and written by index (per-series state, batch buffers,
 * scratch buffers), the one way every stage does it.
 */

type NumberArray = Float64Array | Int32Array | Uint32Array | Uint8Array;

/**
 * A typed array of the same kind, `size` long, starting with the elements of `a`; the elements
 * after them are `fill`.
 */
export function grown<A extends NumberArray>(a: A, size: number, fill = 0): A {
  const b = new (a.constructor as new (length: number) => A)(size);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/** {@link grown} to twice the length of `a`, and at least 16. */
export function doubled<A extends NumberArray>(a: A): A {
  return grown(a, Math.max(16, a.length * 2));
}
