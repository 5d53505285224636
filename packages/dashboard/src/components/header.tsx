/**
 * The header: navigation, time range (relative or absolute), auto-refresh, live mode, theme,
 * and the server's state: ingest rate, active series, storage used versus budget, connection.
 */

import { useEffect, useRef, useState } from 'preact/hooks';
import { formatValue } from '../lib/format.js';
import { type LiveState, liveState } from '../lib/live.js';
import { connection, stats } from '../lib/prom.js';
import type { Theme } from '../lib/theme.js';
import { REFRESH_CHOICES, RELATIVE_RANGES } from '../lib/time.js';
import { patchView, timeParams, type View, viewHash } from '../lib/view.js';
import { ROUTES } from '../routes.js';

interface HeaderProps {
  view: View;
  theme: Theme;
  onTheme: () => void;
  onHelp: () => void;
}

function useServerState() {
  const [s, setS] = useState<{ rate: number | null; series: number; used: number; budget: number } | null>(
    null,
  );
  const [ok, setOk] = useState(connection.ok);
  const [live, setLive] = useState<LiveState>(liveState.value);
  const prev = useRef<{ t: number; n: number } | null>(null);
  useEffect(() => {
    connection.listeners.add(setOk);
    liveState.listeners.add(setLive);
    const poll = () =>
      stats().then(
        (st) => {
          const now = performance.now();
          const p = prev.current;
          const rate = p && now > p.t ? ((st.samples_ingested_since_start - p.n) * 1000) / (now - p.t) : null;
          prev.current = { t: now, n: st.samples_ingested_since_start };
          setS({ rate, series: st.series, used: st.bytes_used, budget: st.bytes_budget });
        },
        () => undefined,
      );
    void poll();
    const timer = setInterval(poll, 5000);
    return () => {
      clearInterval(timer);
      connection.listeners.delete(setOk);
      liveState.listeners.delete(setLive);
    };
  }, []);
  return { s, ok, live };
}

function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

export function Header({ view, theme, onTheme, onHelp }: HeaderProps) {
  const p = view.params;
  const range = p.get('range') ?? '1h';
  const from = Number(p.get('from')) || 0;
  const to = Number(p.get('to')) || 0;
  const absolute = from > 0 && to > from;
  const live = p.get('live') === '1';
  const { s, ok, live: liveConn } = useServerState();
  const conn = !ok ? 'offline' : live ? liveConn : 'online';

  return (
    <header class="top">
      <a class="brand" href="#/overview">
        TinyObs
      </a>
      <nav>
        {ROUTES.map((r) => (
          <a
            key={r.path}
            href={viewHash(r.path, timeParams(p))}
            aria-current={view.page === r.path ? 'page' : undefined}
          >
            {r.title}
          </a>
        ))}
      </nav>
      <div class="time">
        <select
          aria-label="Time range"
          value={absolute ? 'abs' : range}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v === 'abs') {
              const now = Date.now();
              patchView({ from: String(now - 3600_000), to: String(now), live: null });
            } else patchView({ range: v, from: null, to: null });
          }}
        >
          {RELATIVE_RANGES.map((r) => (
            <option key={r} value={r}>
              last {r}
            </option>
          ))}
          <option value="abs">absolute…</option>
        </select>
        {absolute ? (
          <>
            <input
              type="datetime-local"
              aria-label="From"
              value={toLocalInput(from)}
              onChange={(e) => patchView({ from: String(new Date(e.currentTarget.value).getTime()) })}
            />
            <input
              type="datetime-local"
              aria-label="To"
              value={toLocalInput(to)}
              onChange={(e) => patchView({ to: String(new Date(e.currentTarget.value).getTime()) })}
            />
          </>
        ) : null}
        <select
          aria-label="Auto-refresh"
          value={p.get('refresh') ?? 'off'}
          onChange={(e) =>
            patchView({ refresh: e.currentTarget.value === 'off' ? null : e.currentTarget.value })
          }
        >
          {REFRESH_CHOICES.map((r) => (
            <option key={r} value={r}>
              {r === 'off' ? 'refresh off' : `every ${r}`}
            </option>
          ))}
        </select>
        <button
          type="button"
          class={live ? 'toggle on' : 'toggle'}
          aria-pressed={live}
          title="Live: new points stream from the server (l)"
          onClick={() => patchView(live ? { live: null } : { live: '1', from: null, to: null })}
        >
          ● live
        </button>
      </div>
      <div class="server" aria-live="polite">
        {s ? (
          <>
            <span title="Samples ingested per second">
              {s.rate === null ? '…' : formatValue(s.rate, 'ops')}
            </span>
            <span title="Active series">{s.series.toLocaleString()} series</span>
            <span title="Storage used / budget">
              {formatValue(s.used, 'bytes')}
              {s.budget > 0 ? ` / ${formatValue(s.budget, 'bytes')}` : ''}
            </span>
          </>
        ) : null}
        <span class={`conn ${conn}`} data-testid="connection" title="Connection to the server">
          {conn}
        </span>
      </div>
      <button type="button" class="icon" onClick={onTheme} title="Toggle theme (t)" aria-label="Toggle theme">
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <button
        type="button"
        class="icon"
        onClick={onHelp}
        title="Keyboard shortcuts (?)"
        aria-label="Keyboard shortcuts"
      >
        ?
      </button>
    </header>
  );
}
