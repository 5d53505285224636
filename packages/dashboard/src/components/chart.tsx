/**
 * A uPlot chart of step-aligned columns. uPlot draws on canvas, so label values never become
 * HTML; the legend below is rendered by Preact as text. Dragging across the plot zooms (the
 * parent turns the selection into an absolute range); a legend click isolates one line.
 */

import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { ChartData } from '../lib/columns.js';
import { formatValue, PALETTE, type Unit } from '../lib/format.js';

export interface ChartProps {
  data: ChartData;
  unit?: Unit;
  height?: number;
  /** Called with the selected range in Unix seconds after a drag. */
  onZoom?: (from: number, to: number) => void;
  /** Receives the uPlot instance (PNG export reads its canvas). */
  onReady?: (u: uPlot | null) => void;
  /** While the first answer is awaited, an empty chart says "loading", not "no data". */
  loading?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function columns(data: ChartData): uPlot.AlignedData {
  return [data.t, ...data.values] as uPlot.AlignedData;
}

export function Chart({ data, unit = '', height = 180, onZoom, onReady, loading }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = useRef('');
  const [hidden, setHidden] = useState<ReadonlySet<number>>(new Set());
  const [cursor, setCursor] = useState<number | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  const key = data.lines.map((l) => l.key).join('\n');
  useEffect(() => {
    const el = host.current!;
    if (plot.current !== null && shape.current === key) {
      plot.current.setData(columns(data));
      return;
    }
    plot.current?.destroy();
    shape.current = key;
    const grid = cssVar('--grid');
    const text = cssVar('--muted');
    const axis = (v: number) => formatValue(v, unit);
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true } },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        {
          stroke: text,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          // Wide enough for the longest tick label ("123.4 MiB"), measured in characters.
          size: (_u, vals) => 24 + 8 * Math.max(3, ...(vals ?? []).map((v) => String(v).length)),
          values: (_u, vals) => vals.map(axis),
        },
      ],
      series: [
        {},
        ...data.lines.map((l, i) => ({
          label: `s${i}`,
          stroke: PALETTE[i % PALETTE.length]!,
          width: 1.5,
          spanGaps: false,
          points: { show: false },
          ...(l.dashed ? { dash: [6, 4] } : {}),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 5) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current?.(from, to);
          },
        ],
        setCursor: [(u) => setCursor(u.cursor.idx ?? null)],
      },
    };
    plot.current = new uPlot(opts, columns(data), el);
    setHidden(new Set());
    onReady?.(plot.current);
  }, [data, key, unit, height]);

  useEffect(() => {
    const el = host.current!;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (plot.current && plot.current.width !== w) plot.current.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
      onReady?.(null);
    };
  }, []);

  const isolate = (i: number) => {
    const u = plot.current;
    if (!u) return;
    const only = hidden.size === data.lines.length - 1 && !hidden.has(i);
    const next = new Set<number>();
    data.lines.forEach((_, j) => {
      const show = only || j === i;
      if (!show) next.add(j);
      u.setSeries(j + 1, { show });
    });
    setHidden(next);
  };

  // Under the cursor: the values at that time; otherwise each line's latest value.
  const shown = (col: (number | null)[] | undefined) => {
    if (!col) return null;
    if (cursor !== null) return col[cursor];
    for (let j = col.length - 1; j >= 0; j--) if (col[j] !== null) return col[j];
    return null;
  };
  return (
    <div
      class="chart"
      data-points={data.t.length}
      data-lines={data.lines.length}
      data-last={data.t[data.t.length - 1]}
    >
      <div ref={host} class="plot" />
      {data.lines.length === 0 ? (
        <div class="nodata">{loading ? 'loading…' : 'no data in this range'}</div>
      ) : null}
      <ul class="legend">
        {data.lines.map((l, i) => (
          <li key={l.key} class={hidden.has(i) ? 'off' : ''}>
            <button type="button" title="Click to show only this series" onClick={() => isolate(i)}>
              <span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />
              <span class="name">{l.label}</span>
              <span class="val">{formatValue(shown(data.values[i]), unit)}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
