/** absent, scalar/vector conversion and the sort functions. */

import { labelsCompare } from '../../../model/labels.js';
import { absentLabels } from '../absent.js';
import type { Sample, Vector } from '../types.js';
import type { FnContext, FunctionDef, VectorFn } from './types.js';

/** Natural order: runs of digits compare by number, the rest by code unit (natsort.Compare). */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const xs = a.match(re) ?? [];
  const ys = b.match(re) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}

function warnInRange(ctx: FnContext): void {
  if (ctx.isRange) {
    ctx.annotations.warn(
      'sort is ineffective for range queries since results are always ordered by labels',
      ctx.call.pos,
    );
  }
}

/** sort/sort_desc: by value, NaN always last. */
function sortByValue(desc: boolean): VectorFn {
  return (args, ctx, out) => {
    warnInRange(ctx);
    const vec = (args[0] as Vector).slice();
    vec.sort((a, b) => {
      if (Number.isNaN(a.f)) return Number.isNaN(b.f) ? 0 : 1;
      if (Number.isNaN(b.f)) return -1;
      return desc ? b.f - a.f : a.f - b.f;
    });
    out.push(...vec);
  };
}

function sortByLabel(desc: boolean): VectorFn {
  return (args, ctx, out) => {
    warnInRange(ctx);
    const names = args.slice(1) as string[];
    const cmp = (a: Sample, b: Sample): number => {
      for (const n of names) {
        const x = a.metric.find((l) => l.name === n)?.value ?? '';
        const y = b.metric.find((l) => l.name === n)?.value ?? '';
        if (x !== y) return naturalCompare(x, y);
      }
      return labelsCompare(a.metric, b.metric);
    };
    const vec = (args[0] as Vector).slice().sort(desc ? (a, b) => cmp(b, a) : cmp);
    out.push(...vec);
  };
}

export const MISC_FUNCTIONS: readonly FunctionDef[] = [
  {
    name: 'absent',
    dropsName: false,
    impl: {
      kind: 'vector',
      fn: (args, ctx, out) => {
        if ((args[0] as Vector).length > 0) return;
        out.push({ metric: absentLabels(ctx.call.args[0]!), f: 1, t: ctx.ts, dropName: false });
      },
    },
  },
  {
    name: 'scalar',
    dropsName: false,
    impl: {
      kind: 'scalar',
      fn: (args) => {
        const vec = args[0] as Vector;
        return vec.length === 1 ? vec[0]!.f : Number.NaN;
      },
    },
  },
  {
    name: 'vector',
    dropsName: false,
    impl: {
      kind: 'vector',
      fn: (args, ctx, out) => out.push({ metric: [], f: args[0] as number, t: ctx.ts, dropName: false }),
    },
  },
  { name: 'sort', dropsName: false, impl: { kind: 'vector', fn: sortByValue(false) } },
  { name: 'sort_desc', dropsName: false, impl: { kind: 'vector', fn: sortByValue(true) } },
  { name: 'sort_by_label', dropsName: false, impl: { kind: 'vector', fn: sortByLabel(false) } },
  { name: 'sort_by_label_desc', dropsName: false, impl: { kind: 'vector', fn: sortByLabel(true) } },
];
