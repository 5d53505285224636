/**
 * Functions of the query itself (Prometheus 3 experimental): `step()`, `range()`, `start()`,
 * `end()` in seconds, and `min_of`/`max_of`, which also appear inside duration expressions.
 */

import type { FunctionDef } from './types.js';

/** Go's math.Min/Max: NaN wins. */
function minOf(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b);
}

function maxOf(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b);
}

export const QUERY_FUNCTIONS: readonly FunctionDef[] = [
  { name: 'step', dropsName: false, impl: { kind: 'scalar', fn: (_a, c) => c.query.step / 1000 } },
  {
    name: 'range',
    dropsName: false,
    impl: { kind: 'scalar', fn: (_a, c) => (c.query.end - c.query.start) / 1000 },
  },
  { name: 'start', dropsName: false, impl: { kind: 'scalar', fn: (_a, c) => c.query.start / 1000 } },
  { name: 'end', dropsName: false, impl: { kind: 'scalar', fn: (_a, c) => c.query.end / 1000 } },
  {
    name: 'min_of',
    dropsName: false,
    impl: { kind: 'scalar', fn: (a) => minOf(a[0] as number, a[1] as number) },
  },
  {
    name: 'max_of',
    dropsName: false,
    impl: { kind: 'scalar', fn: (a) => maxOf(a[0] as number, a[1] as number) },
  },
];
