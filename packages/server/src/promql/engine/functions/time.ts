/**
 * Time and date functions. Date parts are computed in UTC from a value in seconds since the epoch;
 * without an argument they use the evaluation time (functions.go `dateWrapper`).
 */

import type { Vector } from '../types.js';
import type { FunctionDef } from './types.js';

function dateFn(name: string, part: (d: Date) => number): FunctionDef {
  return {
    name,
    dropsName: true,
    impl: {
      kind: 'vector',
      fn: (args, ctx, out) => {
        if (args.length === 0) {
          out.push({
            metric: [],
            f: part(new Date(Math.trunc(ctx.ts / 1000) * 1000)),
            t: ctx.ts,
            dropName: false,
          });
          return;
        }
        for (const s of args[0] as Vector) {
          const f = Number.isFinite(s.f) ? part(new Date(Math.trunc(s.f) * 1000)) : Number.NaN;
          out.push({ metric: s.metric, f, t: s.t, dropName: true });
        }
      },
    },
  };
}

function daysInMonth(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

export const TIME_FUNCTIONS: readonly FunctionDef[] = [
  { name: 'time', dropsName: false, impl: { kind: 'scalar', fn: (_a, ctx) => ctx.ts / 1000 } },
  dateFn('year', (d) => d.getUTCFullYear()),
  dateFn('month', (d) => d.getUTCMonth() + 1),
  dateFn('day_of_month', (d) => d.getUTCDate()),
  dateFn('day_of_week', (d) => d.getUTCDay()),
  dateFn('day_of_year', dayOfYear),
  dateFn('days_in_month', daysInMonth),
  dateFn('hour', (d) => d.getUTCHours()),
  dateFn('minute', (d) => d.getUTCMinutes()),
  {
    name: 'timestamp',
    dropsName: true,
    impl: {
      kind: 'vector',
      fn: (args, _ctx, out) => {
        for (const s of args[0] as Vector)
          out.push({ metric: s.metric, f: s.t / 1000, t: s.t, dropName: true });
      },
    },
  },
];
