/**
 * Alerts: every alerting rule with its state, and each active alert with since when, its labels,
 * annotations and value; the rule's expression is graphed with its threshold over the view's range.
 */

import { useEffect, useState } from 'preact/hooks';
import { Panel, type PanelQuery } from '../components/panel.js';
import type { PageProps } from '../lib/context.js';
import { type Alert, type Rule, ruleGroups } from '../lib/prom.js';

/** `lhs > 0.5` → the left-hand side and the threshold as two lines; anything else as it is. */
export function thresholdQueries(expr: string): PanelQuery[] {
  const m = /^(.*?)\s*(>=|<=|==|!=|>|<)\s*(?:bool\s+)?([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/s.exec(
    expr,
  );
  if (m === null) return [{ expr }];
  return [{ expr: m[1]! }, { expr: `vector(${m[3]})`, legend: `threshold ${m[2]} ${m[3]}` }];
}

function since(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function Labels({ labels }: { labels: Record<string, string> }) {
  return (
    <span class="labels mono">
      {Object.entries(labels).map(([k, v]) => (
        <span key={k} class="label">
          {k}="{v}"
        </span>
      ))}
    </span>
  );
}

function AlertRow({ a }: { a: Alert }) {
  return (
    <tr>
      <td>
        <span class={`alert-state ${a.state}`}>{a.state}</span>
      </td>
      <td title={a.activeAt}>{since(a.activeAt)}</td>
      <td>
        <Labels labels={a.labels} />
      </td>
      <td>
        {Object.entries(a.annotations).map(([k, v]) => (
          <div key={k}>
            <span class="muted">{k}:</span> {v}
          </div>
        ))}
      </td>
      <td class="num mono">{a.value}</td>
    </tr>
  );
}

export function Alerts({ time, live, tick }: PageProps) {
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    ruleGroups('alert').then(
      (groups) => {
        setRules(groups.flatMap((g) => g.rules));
        setError('');
      },
      (err: Error) => setError(err.message),
    );
  }, [tick]);
  if (error) return <p class="error">Cannot load the alerts: {error}</p>;
  if (rules === null) return <p class="muted">Loading alerts…</p>;
  if (rules.length === 0)
    return <p class="muted">No alerting rules. Start the server with --rules FILE… to load some.</p>;
  const order = { firing: 0, pending: 1, inactive: 2 } as Record<string, number>;
  const sorted = [...rules].sort((a, b) => (order[a.state ?? ''] ?? 3) - (order[b.state ?? ''] ?? 3));
  return (
    <div class="alerts">
      {sorted.map((r) => (
        <section key={r.name} class="alert-rule" data-state={r.state}>
          <header>
            <span class={`alert-state ${r.state}`}>{r.state}</span>
            <h2 class="mono">{r.name}</h2>
            <span class="muted">
              {r.alerts?.length ?? 0} active · for {r.duration ?? 0}s
            </span>
          </header>
          <pre class="mono query">{r.query}</pre>
          {r.alerts && r.alerts.length > 0 ? (
            <table class="alert-table">
              <thead>
                <tr>
                  <th>state</th>
                  <th>since</th>
                  <th>labels</th>
                  <th>annotations</th>
                  <th class="num">value</th>
                </tr>
              </thead>
              <tbody>
                {r.alerts.map((a) => (
                  <AlertRow key={JSON.stringify(a.labels)} a={a} />
                ))}
              </tbody>
            </table>
          ) : null}
          <Panel
            title={r.query}
            queries={thresholdQueries(r.query)}
            time={time}
            live={live}
            tick={tick}
            lazy
          />
        </section>
      ))}
    </div>
  );
}
