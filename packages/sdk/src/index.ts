/**
 * `@tinyobs/sdk`: counters, gauges and histograms, aggregated in process and pushed to a
 * TinyObs server. Middleware lives in `@tinyobs/sdk/http`, `/express` and `/fastify`; runtime
 * metrics in `@tinyobs/sdk/runtime`.
 * @packageDocumentation
 */
export { type CollectHook, createTinyObs, type FlushOptions, TinyObs, type TinyObsStats } from './client.js';
export { type BoundCounter, Counter, type CounterOptions } from './counter.js';
export type { DropReason } from './diagnostics.js';
export { TinyObsError, type TinyObsErrorCode, type TinyObsErrorOptions } from './errors.js';
export { type BoundGauge, Gauge, type GaugeOptions } from './gauge.js';
export { type BoundHistogram, DEFAULT_BUCKETS, Histogram, type HistogramOptions } from './histogram.js';
export type { InstrumentOptions } from './instrument.js';
export type { ResolvedOptions, TinyObsOptions } from './options.js';
export { OVERFLOW_LABEL } from './series-map.js';
export type { Sender, SendResult } from './transport.js';
export type { FlushResult, LabelSet, LabelValue, MetricPoint, MetricType } from './types.js';
