/** Quantiles over plain values, as Prometheus' `quantile` (used by `quantile` and `quantile_over_time`). */

/** Sorts ascending with NaN first, as Prometheus' vectorByValueHeap orders them. */
export function sortNaNFirst(xs: Float64Array): void {
  xs.sort((a, b) => {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a - b;
  });
}

/**
 * The q-quantile of `values` by linear interpolation between closest ranks; `values` is sorted in
 * place. q < 0 gives -Inf, q > 1 gives +Inf, NaN q or no values give NaN.
 */
export function quantile(q: number, values: Float64Array): number {
  if (values.length === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  sortNaNFirst(values);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower]! * (1 - weight) + values[upper]! * weight;
}

/** Go's strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  const neg = v < 0;
  const [mant, expStr] = (neg ? s.slice(1) : s).split('e') as [string, string];
  const exp = Number(expStr);
  const [ip, fp = ''] = mant.split('.') as [string, string?];
  const digits = ip + fp;
  let out: string;
  if (exp >= 0) {
    const point = ip.length + exp;
    out =
      point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  } else {
    out = `0.${'0'.repeat(-exp - ip.length)}${digits}`;
  }
  return neg ? `-${out}` : out;
}
