/**
 * Metrics browser: every metric with its type, help and series count; a metric's label names and
 * their values with counts (cardinality at a glance). A click opens it in Explore.
 */

import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PageProps } from '../lib/context.js';
import { getOrAdd, promString } from '../lib/families.js';
import { labelValues, type MetricMeta, metadata, series, seriesPerMetric } from '../lib/prom.js';
import { goTo, patchView } from '../lib/view.js';

interface Row {
  name: string;
  type: string;
  help: string;
  series: number;
}

export function Metrics({ view, tick }: PageProps) {
  const search = view.params.get('search') ?? '';
  const selected = view.params.get('m');
  const [rows, setRows] = useState<Row[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    Promise.all([labelValues('__name__'), metadata(), seriesPerMetric()]).then(
      ([names, meta, counts]) => {
        const typeOf = (n: string): MetricMeta | undefined =>
          meta[n]?.[0] ?? meta[n.replace(/_(bucket|sum|count)$/, '')]?.[0];
        setRows(
          names.map((name) => ({
            name,
            type: typeOf(name)?.type ?? 'unknown',
            help: typeOf(name)?.help ?? '',
            series: counts.get(name) ?? 0,
          })),
        );
      },
      (err: Error) => setError(err.message),
    );
  }, [tick]);

  const shown = useMemo(() => {
    const s = search.toLowerCase();
    return (rows ?? []).filter(
      (r) => !s || r.name.toLowerCase().includes(s) || r.help.toLowerCase().includes(s),
    );
  }, [rows, search]);

  if (error) return <p class="error">Cannot load the metrics: {error}</p>;
  if (rows === null) return <p class="muted">Loading metrics…</p>;
  return (
    <div class="metrics">
      <div class="filters">
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            placeholder="name or help text"
            data-shortcut-focus
            onInput={(e) => patchView({ search: e.currentTarget.value || null }, true)}
          />
        </label>
        <span class="muted">
          {shown.length} of {rows.length} metrics
        </span>
      </div>
      <div class="split">
        <table class="metric-table">
          <thead>
            <tr>
              <th>metric</th>
              <th>type</th>
              <th class="num">series</th>
              <th>help</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.name} class={r.name === selected ? 'selected' : ''}>
                <td class="mono">
                  <button type="button" class="link" onClick={() => patchView({ m: r.name })}>
                    {r.name}
                  </button>
                </td>
                <td>{r.type}</td>
                <td class="num">{r.series}</td>
                <td class="help">{r.help}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected ? <Detail name={selected} /> : null}
      </div>
    </div>
  );
}

function Detail({ name }: { name: string }) {
  const [labels, setLabels] = useState<[string, [string, number][]][] | null>(null);
  const [total, setTotal] = useState(0);
  useEffect(() => {
    setLabels(null);
    void series([`{__name__=${promString(name)}}`]).then((list) => {
      const byLabel = new Map<string, Map<string, number>>();
      for (const m of list) {
        for (const [k, v] of Object.entries(m)) {
          if (k === '__name__') continue;
          const vals = getOrAdd(byLabel, k, () => new Map<string, number>());
          vals.set(v, (vals.get(v) ?? 0) + 1);
        }
      }
      setTotal(list.length);
      setLabels(
        [...byLabel]
          .map(([k, vals]) => [k, [...vals].sort((a, b) => b[1] - a[1])] as [string, [string, number][]])
          .sort((a, b) => b[1].length - a[1].length),
      );
    });
  }, [name]);
  return (
    <aside class="detail" aria-label={`Labels of ${name}`}>
      <h3 class="mono">{name}</h3>
      <p>
        {total} series{' '}
        <button type="button" class="primary" onClick={() => goTo('explore', { q: name })}>
          Open in Explore
        </button>
      </p>
      {labels === null ? <p class="muted">Loading labels…</p> : null}
      {(labels ?? []).map(([k, vals]) => (
        <details key={k} open={vals.length <= 10}>
          <summary>
            <span class="mono">{k}</span> <span class="muted">{vals.length} values</span>
          </summary>
          <ul class="values">
            {vals.slice(0, 200).map(([v, n]) => (
              <li key={v}>
                <span class="mono">{v}</span> <span class="muted">{n}</span>
              </li>
            ))}
            {vals.length > 200 ? <li class="muted">… {vals.length - 200} more</li> : null}
          </ul>
        </details>
      ))}
    </aside>
  );
}
