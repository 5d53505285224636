/**
 * Name rules from the Prometheus data model
 * (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels).
 */

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a legal metric name (letters, digits, `_`, `:`; not starting with a digit). */
export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

/** True when `name` is a legal label name (letters, digits, `_`; not starting with a digit). */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/** Label names starting with `__` are reserved for internal use (`__name__` being the one stored). */
export function isReservedLabelName(name: string): boolean {
  return name.startsWith('__');
}
