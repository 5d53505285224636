/** How bucket bounds are written in `le` (and `quantile`) labels, shared by the wire formats. */

/** The label text of a bound, as Prometheus formats it (`0.5`, `+Inf`). */
export function formatLe(b: number): string {
  if (b === Number.POSITIVE_INFINITY) return '+Inf';
  if (b === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(b);
}
