/**
 * A chart panel: runs its queries over the view's range when it scrolls into sight (an overview
 * of hundreds of charts only queries what is on screen), follows auto-refresh and live mode,
 * and exports its picture (PNG) and data (CSV).
 */

import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import {
  appendPoints,
  type ChartData,
  emptyData,
  type QueryResult,
  toColumns,
  toCsv,
} from '../lib/columns.js';
import type { Unit } from '../lib/format.js';
import { subscribeLive } from '../lib/live.js';
import { useNearView } from '../lib/near_view.js';
import { queryRange } from '../lib/prom.js';
import { alignRange, rateWindow, resolveRange, stepFor, type TimeSpec } from '../lib/time.js';
import { goTo, patchView } from '../lib/view.js';
import { Chart } from './chart.js';

export interface PanelQuery {
  /** PromQL; `$__rate` is replaced by the rate window that suits the step. */
  expr: string;
  /** Legend template: `{{route}} p95`. */
  legend?: string;
}

export interface PanelProps {
  title: string;
  queries: PanelQuery[];
  unit?: Unit;
  time: TimeSpec;
  live: boolean;
  /** Changes on every auto-refresh tick. */
  tick: number;
  /** Only query once visible (the overview); Explore queries at once. */
  lazy?: boolean;
  height?: number;
  /** Compare with an earlier period (seconds): each query is also run shifted and drawn dashed. */
  compare?: number;
}

type State = 'idle' | 'loading' | 'ready' | 'error';

export function expand(expr: string, step: number): string {
  return expr.replaceAll('$__rate', rateWindow(step));
}

export function Panel(props: PanelProps) {
  const { title, queries, unit, time, live, tick, lazy, height, compare } = props;
  const el = useRef<HTMLElement>(null);
  const plot = useRef<uPlot | null>(null);
  const visible = useNearView(el, '200px', lazy);
  const [state, setState] = useState<State>('idle');
  const [error, setError] = useState('');
  const [data, setData] = useState<ChartData>(emptyData);
  const grid = useRef({ step: 1, end: 0, len: 0, exprs: [] as string[] });

  const spec = JSON.stringify(queries);
  useEffect(() => {
    if (!visible) return;
    const ctrl = new AbortController();
    const { start: s0, end: e0 } = resolveRange(time);
    const width = el.current?.clientWidth ?? 600;
    const step = stepFor(s0, e0, width);
    const { start, end } = alignRange(s0, e0, step);
    const exprs = queries.map((q) => expand(q.expr, step));
    setState((s) => (s === 'ready' ? s : 'loading'));
    const runs: Promise<QueryResult>[] = exprs.map((e, i) =>
      queryRange(e, start, end, step, ctrl.signal).then((r) => ({
        result: r.result,
        legend: queries[i]!.legend,
      })),
    );
    if (compare) {
      const suffix = ` (${compare >= 604800 ? '1w' : '1d'} ago)`;
      exprs.forEach((e, i) => {
        runs.push(
          queryRange(e, start - compare, end - compare, step, ctrl.signal).then((r) => ({
            result: r.result,
            legend: queries[i]!.legend,
            shift: compare,
            dashed: true,
            suffix,
          })),
        );
      });
    }
    Promise.all(runs).then(
      (results) => {
        grid.current = { step, end, len: end - start, exprs };
        setData(toColumns(results, start, end, step));
        setError('');
        setState('ready');
      },
      (err: Error) => {
        if (ctrl.signal.aborted) return;
        setError(err.message);
        setState('error');
      },
    );
    return () => ctrl.abort();
  }, [visible, spec, time.range, time.from, time.to, tick, compare]);

  useEffect(() => {
    if (!live || state !== 'ready' || compare) return;
    const g = grid.current;
    return subscribeLive(g.exprs, g.step, g.end + g.step, (results) => {
      setData((d) => ({ ...appendPoints(d, results, Date.now() / 1000 - g.len) }));
    });
  }, [live, state, spec, time.range, tick, compare]);

  const exportPng = () => {
    const canvas = plot.current?.ctx.canvas;
    canvas?.toBlob((b) => b && download(b, `${fileName(title)}.png`));
  };
  const exportCsv = () => download(new Blob([toCsv(data)], { type: 'text/csv' }), `${fileName(title)}.csv`);
  const explore = () => goTo('explore', { q: queries.map((q) => expand(q.expr, grid.current.step)) });

  return (
    <section ref={el} class="panel" data-state={state} aria-busy={state === 'loading'}>
      <header>
        <h3 title={title}>{title}</h3>
        <div class="tools">
          <button type="button" onClick={explore} title="Open in Explore">
            explore
          </button>
          <button type="button" onClick={exportPng} title="Download as PNG" disabled={state !== 'ready'}>
            png
          </button>
          <button type="button" onClick={exportCsv} title="Download data as CSV" disabled={state !== 'ready'}>
            csv
          </button>
        </div>
      </header>
      {state === 'error' ? <p class="error">{error}</p> : null}
      {visible ? (
        <Chart
          data={data}
          unit={unit ?? ''}
          loading={state !== 'ready' && state !== 'error'}
          height={height ?? 160}
          onReady={(u) => {
            plot.current = u;
          }}
          onZoom={(from, to) =>
            patchView({
              from: String(Math.round(from * 1000)),
              to: String(Math.round(to * 1000)),
              live: null,
            })
          }
        />
      ) : (
        <div class="placeholder" style={{ height: `${(height ?? 160) + 30}px` }} />
      )}
    </section>
  );
}

function fileName(title: string): string {
  return title.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'chart';
}

function download(blob: Blob, name: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
