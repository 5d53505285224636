/** Names from other systems (Influx measurements and tags, StatsD buckets) made Prometheus-valid. */

const NOT_METRIC_CHAR = /[^a-zA-Z0-9_:]/g;

/**
 * `name` with every character a Prometheus metric name cannot hold replaced by `_` (for a label
 * name, `:` too), and `_` in front when it starts with a digit.
 */
export function sanitizeName(name: string, label = false): string {
  let s = name.replace(NOT_METRIC_CHAR, '_');
  if (label) s = s.replace(/:/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}
