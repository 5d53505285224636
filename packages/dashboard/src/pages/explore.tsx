/**
 * Explore: several PromQL queries on one chart (or as a table at the range's end), compared with
 * the previous day or week if asked. The queries, tab and comparison live in the URL.
 */

import { useEffect, useState } from 'preact/hooks';
import { Panel } from '../components/panel.js';
import { seriesLabel } from '../lib/columns.js';
import type { PageProps } from '../lib/context.js';
import { formatValue } from '../lib/format.js';
import { formatQuery, instantQuery, type Metric } from '../lib/prom.js';
import { resolveRange } from '../lib/time.js';
import { patchView } from '../lib/view.js';

const COMPARE: Record<string, number> = { '1d': 86400, '1w': 604800 };

type EditorModule = typeof import('../components/editor.js');
let editorModule: Promise<EditorModule> | undefined;

/** The editor (CodeMirror and the PromQL grammar) is a separate chunk, fetched when Explore opens. */
function useEditor(): EditorModule['PromQLEditor'] | null {
  const [editor, setEditor] = useState<EditorModule['PromQLEditor'] | null>(null);
  useEffect(() => {
    editorModule ??= import('../components/editor.js');
    void editorModule.then((m) => setEditor(() => m.PromQLEditor));
  }, []);
  return editor;
}

export function Explore({ view, time, live, tick }: PageProps) {
  const committed = view.params.getAll('q');
  const tab = view.params.get('tab') === 'table' ? 'table' : 'graph';
  const compare = view.params.get('compare') ?? '';
  const [drafts, setDrafts] = useState<string[]>(committed.length ? committed : ['']);
  const PromQLEditor = useEditor();
  const [revision, setRevision] = useState(0);
  const [formatError, setFormatError] = useState('');
  const replaceDrafts = (next: string[]) => {
    setDrafts(next);
    setRevision((r) => r + 1);
  };
  const key = committed.join('\n');
  useEffect(() => {
    if (committed.length) replaceDrafts(committed);
  }, [key]);

  const run = (list = drafts) => patchView({ q: list.filter((q) => q.trim() !== '') });
  const setDraft = (i: number, text: string) => setDrafts((d) => d.map((x, j) => (j === i ? text : x)));
  const pretty = async (i: number) => {
    try {
      const text = await formatQuery(drafts[i]!);
      const next = drafts.map((x, j) => (j === i ? text : x));
      replaceDrafts(next);
      setFormatError('');
      run(next);
    } catch (err) {
      setFormatError((err as Error).message);
    }
  };
  const queries = committed.filter((q) => q.trim() !== '').map((expr) => ({ expr }));

  return (
    <div class="explore">
      {drafts.map((text, i) => (
        <div class="query-row" key={i}>
          {PromQLEditor === null ? (
            <div class="editor loading">{text || 'loading the editor…'}</div>
          ) : (
            <PromQLEditor
              value={text}
              revision={revision}
              label={`Query ${i + 1}`}
              onChange={(t) => setDraft(i, t)}
              onRun={() => run()}
            />
          )}
          <button type="button" onClick={() => void pretty(i)} title="Format with /api/v1/format_query">
            pretty
          </button>
          {drafts.length > 1 ? (
            <button
              type="button"
              title="Remove this query"
              onClick={() => {
                const next = drafts.filter((_, j) => j !== i);
                replaceDrafts(next);
                run(next);
              }}
            >
              ✕
            </button>
          ) : null}
        </div>
      ))}
      {formatError ? <p class="error">{formatError}</p> : null}
      <div class="explore-bar">
        <button type="button" class="primary" onClick={() => run()} title="Run (Ctrl+Enter)">
          Run
        </button>
        <button type="button" onClick={() => setDrafts([...drafts, ''])}>
          + query
        </button>
        <div class="tabs" role="tablist">
          {(['graph', 'table'] as const).map((t) => (
            <button
              type="button"
              role="tab"
              key={t}
              aria-selected={tab === t}
              onClick={() => patchView({ tab: t === 'graph' ? null : t })}
            >
              {t}
            </button>
          ))}
        </div>
        <label>
          Compare with{' '}
          <select value={compare} onChange={(e) => patchView({ compare: e.currentTarget.value || null })}>
            <option value="">nothing</option>
            <option value="1d">the day before</option>
            <option value="1w">the week before</option>
          </select>
        </label>
      </div>
      {queries.length === 0 ? (
        <p class="muted">
          Type a query and press Ctrl+Enter. Metric names, labels and values complete as you type.
        </p>
      ) : tab === 'graph' ? (
        <Panel
          title={queries.map((q) => q.expr).join('  ·  ')}
          queries={queries}
          time={time}
          live={live}
          tick={tick}
          height={340}
          compare={COMPARE[compare] ?? 0}
        />
      ) : (
        <Table queries={queries.map((q) => q.expr)} end={resolveRange(time).end} tick={tick} />
      )}
    </div>
  );
}

function Table({ queries, end, tick }: { queries: string[]; end: number; tick: number }) {
  const [rows, setRows] = useState<{ q: number; metric: Metric; value: string }[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    const ctrl = new AbortController();
    Promise.all(queries.map((q) => instantQuery(q, end, ctrl.signal))).then(
      (results) => {
        const out: { q: number; metric: Metric; value: string }[] = [];
        results.forEach((r, q) => {
          if (r.resultType === 'vector') {
            for (const s of r.result as { metric: Metric; value: [number, string] }[])
              out.push({ q, metric: s.metric, value: s.value[1] });
          } else {
            out.push({ q, metric: {}, value: String((r.result as [number, string])[1]) });
          }
        });
        setRows(out);
        setError('');
      },
      (err: Error) => !ctrl.signal.aborted && setError(err.message),
    );
    return () => ctrl.abort();
  }, [queries.join('\n'), Math.round(end), tick]);
  if (error) return <p class="error">{error}</p>;
  return (
    <table class="result-table" data-testid="result-table">
      <thead>
        <tr>
          {queries.length > 1 ? <th>#</th> : null}
          <th>series</th>
          <th>value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.q}|${seriesLabel(r.metric)}`}>
            {queries.length > 1 ? <td>{r.q + 1}</td> : null}
            <td class="mono">{seriesLabel(r.metric)}</td>
            <td class="num">{formatValue(Number(r.value))}</td>
          </tr>
        ))}
        {rows.length === 0 ? (
          <tr>
            <td colSpan={3} class="muted">
              empty result
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
