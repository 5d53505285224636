/** Rules: every group and rule with its health, last evaluation, evaluation time and last error. */

import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../lib/context.js';
import { type RuleGroup, ruleGroups } from '../lib/prom.js';
import { goTo } from '../lib/view.js';

function ago(iso: string): string {
  const t = Date.parse(iso);
  if (!(t > 0)) return 'never';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  return s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function ms(seconds: number): string {
  return seconds < 1 ? `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms` : `${seconds.toFixed(2)} s`;
}

export function Rules({ tick }: PageProps) {
  const [groups, setGroups] = useState<RuleGroup[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    ruleGroups().then(
      (g) => {
        setGroups(g);
        setError('');
      },
      (err: Error) => setError(err.message),
    );
  }, [tick]);
  if (error) return <p class="error">Cannot load the rules: {error}</p>;
  if (groups === null) return <p class="muted">Loading rules…</p>;
  if (groups.length === 0)
    return <p class="muted">No rules. Start the server with --rules FILE… to load some.</p>;
  return (
    <div class="rules">
      {groups.map((g) => (
        <section key={`${g.file}/${g.name}`} class="rule-group">
          <header>
            <h2>{g.name}</h2>
            <span class="muted mono">{g.file}</span>
            <span class="muted">
              every {g.interval}s · last {ago(g.lastEvaluation)} · took {ms(g.evaluationTime)}
            </span>
          </header>
          <table class="rule-table">
            <thead>
              <tr>
                <th>rule</th>
                <th>health</th>
                <th>last evaluation</th>
                <th class="num">took</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>
              {g.rules.map((r) => (
                <tr key={`${r.type}/${r.name}`} data-health={r.health}>
                  <td>
                    <div class="mono">
                      <span class="muted">{r.type === 'alerting' ? 'alert' : 'record'}:</span> {r.name}
                    </div>
                    <button
                      type="button"
                      class="link mono query"
                      onClick={() => goTo('explore', { q: r.query })}
                    >
                      {r.query}
                    </button>
                  </td>
                  <td>
                    <span class={`health ${r.health}`}>{r.health}</span>
                  </td>
                  <td title={r.lastEvaluation}>{ago(r.lastEvaluation)}</td>
                  <td class="num">{ms(r.evaluationTime)}</td>
                  <td class="error">{r.lastError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
