import { configError } from './errors.js';

// Prometheus data model: https://prometheus.io/docs/concepts/data_model/
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// The TinyObs server's default limit on metric and label names.
const MAX_NAME_LENGTH = 256;

/** Throws unless `name` is a valid Prometheus metric name. */
export function checkMetricName(name: unknown): string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    configError(
      `cannot define metric ${JSON.stringify(name)}: the name must match ${METRIC_NAME.source} and be at most ${MAX_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/** Throws unless `name` is a valid label name that a user may set. */
export function checkLabelName(metric: string, name: unknown, reserved: ReadonlySet<string>): string {
  if (
    typeof name !== 'string' ||
    !LABEL_NAME.test(name) ||
    name.startsWith('__') ||
    name.length > MAX_NAME_LENGTH
  ) {
    configError(
      `cannot define metric ${metric}: label name ${JSON.stringify(name)} must match ${LABEL_NAME.source} and not start with __`,
    );
  }
  if (reserved.has(name)) {
    configError(`cannot define metric ${metric}: label name ${name} is reserved`);
  }
  return name;
}
