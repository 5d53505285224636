/**
 * The experimental `info(v, [data-label-selector])` function (Prometheus 3.x): enriches each
 * series of `v` with the data labels of the info series (`target_info` by default) that share its
 * identifying labels (`instance`, `job`), as of the time the series' own samples were read
 * (honouring `@` and `offset`, also inside subqueries).
 */

import { type Label, type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import { type Matcher, matchesAll, newMatcher } from '../../model/matcher.js';
import type { Call, Expr, VectorSelector } from '../parser/ast.js';
import { unwrap } from './absent.js';
import { execError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { loadSeries } from './selectors.js';
import type { EvalSeries, EvalValue } from './types.js';

const IDENTIFYING = ['instance', 'job'];

/** The time at which `e`'s data is read when it is evaluated at `t`. */
function dataTime(ev: Evaluator, e: Expr, t: number): number {
  const atTime = (at: VectorSelector['at'], tt: number): number =>
    at === null
      ? tt
      : at.kind === 'timestamp'
        ? at.ms
        : at.kind === 'start'
          ? ev.ctx.queryStart
          : ev.ctx.queryEnd;
  switch (e.kind) {
    case 'VectorSelector':
      return atTime(e.at, t) - ev.duration(e.offset, e.offsetExpr);
    case 'MatrixSelector':
      return dataTime(ev, e.vector, t);
    case 'SubqueryExpr':
      return dataTime(ev, e.expr, atTime(e.at, t) - ev.duration(e.offset, e.offsetExpr));
    case 'ParenExpr':
    case 'StepInvariantExpr':
    case 'UnaryExpr':
      return dataTime(ev, e.expr, t);
    case 'AggregateExpr':
      return dataTime(ev, e.expr, t);
    case 'BinaryExpr':
      return dataTime(ev, e.lhs.kind === 'NumberLiteral' ? e.rhs : e.lhs, t);
    case 'Call': {
      const arg = e.args.find((a) => {
        const u = unwrap(a);
        return u.kind !== 'NumberLiteral' && u.kind !== 'StringLiteral';
      });
      return arg === undefined ? t : dataTime(ev, arg, t);
    }
    default:
      return t;
  }
}

export async function evalInfo(ev: Evaluator, call: Call): Promise<EvalValue> {
  const base = await ev.eval(call.args[0]!);
  if (base.type !== 'vector')
    throw execError(`expected instant vector as first argument of info(), got ${base.type}`);
  const selArg = call.args[1] === undefined ? null : unwrap(call.args[1]);
  const matchers = selArg?.kind === 'VectorSelector' ? selArg.matchers : [];
  let nameMatchers: Matcher[] = matchers.filter((m) => m.name === METRIC_NAME);
  const dataMatchers = matchers.filter((m) => m.name !== METRIC_NAME);
  if (nameMatchers.length === 0) nameMatchers = [newMatcher('=', METRIC_NAME, 'target_info')];
  else if (!nameMatchers.some((m) => (m.type === '=' || m.type === '=~') && !m.matches(''))) {
    nameMatchers = [...nameMatchers, newMatcher('=~', METRIC_NAME, '.+_info')];
  }
  const emptyOk = dataMatchers.every((m) => m.matches(''));
  const refs = ev.steps.map((t) => dataTime(ev, call.args[0]!, t));
  const lookback = ev.ctx.lookback;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const r of refs) {
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  const sel: VectorSelector = {
    kind: 'VectorSelector',
    name: '',
    matchers: nameMatchers,
    offset: 0,
    at: null,
    pos: call.pos,
  };
  const infos =
    refs.length === 0
      ? []
      : await loadSeries(ev.ctx.querier(lo - lookback + 1, hi), sel, lo - lookback, hi, true, {}, ev.ctx);
  const usable = infos.filter((s) => matchesAll(dataMatchers, s.metric));
  // Info series indexed by the identifying labels a base series has (the join may use only
  // `instance` when the base series lacks `job`, and so on): one index per subset, built lazily.
  const indexes = new Map<string, Map<string, typeof usable>>();
  const candidatesFor = (base: Labels): typeof usable => {
    const names = IDENTIFYING.filter((n) => base.some((l) => l.name === n));
    const subset = names.join(',');
    let index = indexes.get(subset);
    if (index === undefined) {
      index = new Map();
      for (const s of usable) {
        const key = identity(s.metric, names);
        const list = index.get(key) ?? [];
        list.push(s);
        index.set(key, list);
      }
      indexes.set(subset, index);
    }
    return index.get(identity(base, names)) ?? [];
  };
  const out = new Map<string, EvalSeries>();
  const emit = (metric: Labels, dropName: boolean, t: number, v: number): void => {
    const key = labelsKey(metric);
    let s = out.get(key);
    if (s === undefined) {
      s = { metric, dropName, ts: [], vs: [] };
      out.set(key, s);
    }
    s.ts.push(t);
    s.vs.push(v);
  };
  const stepIndex = new Map(ev.steps.map((t, i) => [t, i]));
  for (const b of base.series) {
    const isInfo = matchesAll(nameMatchers, b.metric);
    for (let k = 0; k < b.ts.length; k++) {
      const t = b.ts[k]!;
      const v = b.vs[k]!;
      if (isInfo || !IDENTIFYING.some((n) => b.metric.some((l) => l.name === n))) {
        if (isInfo || emptyOk) emit(b.metric, b.dropName, t, v);
        continue;
      }
      const ref = refs[stepIndex.get(t)!]!;
      const candidates = candidatesFor(b.metric);
      // Per info metric name, the series with the newest sample at the reference time wins.
      const chosen = new Map<string, { metric: Labels; t: number }>();
      for (const s of candidates) {
        const p = newestAt(s.ts, ref);
        if (p < 0 || s.ts[p]! <= ref - lookback || s.stale[p] === 1) continue;
        const name = s.metric.find((l) => l.name === METRIC_NAME)?.value ?? '';
        const prev = chosen.get(name);
        if (prev === undefined || s.ts[p]! > prev.t) chosen.set(name, { metric: s.metric, t: s.ts[p]! });
      }
      if (chosen.size === 0) {
        if (emptyOk) emit(b.metric, b.dropName, t, v);
        continue;
      }
      const added = new Map<string, string>();
      for (const { metric } of chosen.values()) {
        for (const l of metric) {
          if (l.name === METRIC_NAME || IDENTIFYING.includes(l.name)) continue;
          if (dataMatchers.length > 0 && !dataMatchers.some((m) => m.name === l.name)) continue;
          if (b.metric.some((x) => x.name === l.name)) continue;
          const have = added.get(l.name);
          if (have !== undefined && have !== l.value) {
            throw execError(
              `conflicting label: ${l.name} has values ${JSON.stringify(have)} and ${JSON.stringify(l.value)} in info series`,
            );
          }
          added.set(l.name, l.value);
        }
      }
      const labels: Label[] = [...b.metric, ...[...added].map(([name, value]) => ({ name, value }))];
      labels.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
      emit(labels, b.dropName, t, v);
    }
  }
  return { type: 'vector', series: [...out.values()] };
}

/** The values of the given identifying labels of `ls`, as a key ('' for an absent label). */
function identity(ls: Labels, names: readonly string[]): string {
  let k = '';
  for (const n of names) k += `${n}\xff${ls.find((l) => l.name === n)?.value ?? ''}\xff`;
  return k;
}

/** Index of the newest timestamp <= t, or -1. */
function newestAt(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
