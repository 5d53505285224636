/** Element-wise math and trigonometry on instant vectors (functions.go `simpleFunc` users). */

import type { Vector } from '../types.js';
import type { FunctionDef } from './types.js';
import { mapValues } from './types.js';

function simple(name: string, f: (v: number) => number): FunctionDef {
  return { name, dropsName: true, impl: { kind: 'vector', fn: mapValues(f), map: f } };
}

/** Go's math.Round half away from zero is not what `round()` does: it rounds half up. */
const round: FunctionDef = {
  name: 'round',
  dropsName: true,
  impl: {
    kind: 'vector',
    fn: (args, _ctx, out) => {
      const toNearest = args.length > 1 ? (args[1] as number) : 1;
      const inv = 1 / toNearest;
      for (const s of args[0] as Vector) {
        out.push({ metric: s.metric, f: Math.floor(s.f * inv + 0.5) / inv, t: s.t, dropName: true });
      }
    },
  },
};

function clampFn(name: string, bounds: (args: readonly unknown[]) => [number, number]): FunctionDef {
  return {
    name,
    dropsName: true,
    impl: {
      kind: 'vector',
      fn: (args, _ctx, out) => {
        const [min, max] = bounds(args);
        // clamp with min > max returns nothing (functions.go funcClamp).
        if (max < min) return;
        for (const s of args[0] as Vector) {
          out.push({ metric: s.metric, f: Math.max(min, Math.min(max, s.f)), t: s.t, dropName: true });
        }
      },
    },
  };
}

export const MATH_FUNCTIONS: readonly FunctionDef[] = [
  simple('abs', Math.abs),
  simple('ceil', Math.ceil),
  simple('floor', Math.floor),
  simple('exp', Math.exp),
  simple('sqrt', Math.sqrt),
  simple('ln', Math.log),
  simple('log2', Math.log2),
  simple('log10', Math.log10),
  simple('sgn', (v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  simple('sin', Math.sin),
  simple('cos', Math.cos),
  simple('tan', Math.tan),
  simple('asin', Math.asin),
  simple('acos', Math.acos),
  simple('atan', Math.atan),
  simple('sinh', Math.sinh),
  simple('cosh', Math.cosh),
  simple('tanh', Math.tanh),
  simple('asinh', Math.asinh),
  simple('acosh', Math.acosh),
  simple('atanh', Math.atanh),
  simple('deg', (v) => (v * 180) / Math.PI),
  simple('rad', (v) => (v * Math.PI) / 180),
  round,
  clampFn('clamp', (a) => [a[1] as number, a[2] as number]),
  clampFn('clamp_min', (a) => [a[1] as number, Number.POSITIVE_INFINITY]),
  clampFn('clamp_max', (a) => [Number.NEGATIVE_INFINITY, a[1] as number]),
  { name: 'pi', dropsName: false, impl: { kind: 'scalar', fn: () => Math.PI } },
];
