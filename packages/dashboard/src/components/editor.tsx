/**
 * The PromQL editor: CodeMirror 6 with `@prometheus-io/codemirror-promql`, the editor of
 * Prometheus' own UI. It highlights, lints (syntax errors underlined at their position) and
 * completes functions, metric names, label names and values, which it asks this server for.
 */

import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { type PrometheusClient, PromQLExtension } from '@prometheus-io/codemirror-promql';
import { useEffect, useRef } from 'preact/hooks';
import { labelNames, labelValues, metadata, series } from '../lib/prom.js';

/** Completion data from this server through the dashboard's own API client (GET, same origin). */
const client: PrometheusClient = {
  labelNames: (metric) => labelNames(metric ? `{__name__=${JSON.stringify(metric)}}` : undefined),
  labelValues: (name, metric) =>
    labelValues(name, metric ? `{__name__=${JSON.stringify(metric)}}` : undefined),
  metricMetadata: () => metadata(),
  series: async (metric) =>
    (await series([`{__name__=${JSON.stringify(metric)}}`])).map((m) => new Map(Object.entries(m))),
  metricNames: () => labelValues('__name__'),
  flags: async () => ({}),
};

const promql = new PromQLExtension().setComplete({ remote: client, maxMetricsMetadata: 10_000 });

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--hl-keyword)' },
  { tag: tags.function(tags.variableName), color: 'var(--hl-function)' },
  { tag: tags.labelName, color: 'var(--hl-label)' },
  { tag: tags.string, color: 'var(--hl-string)' },
  { tag: tags.number, color: 'var(--hl-number)' },
  { tag: tags.operator, color: 'var(--hl-operator)' },
  { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
]);

/** Completion and lint tooltips in the dashboard's colors (both themes). */
const theme = EditorView.theme({
  '.cm-tooltip': { background: 'var(--panel)', color: 'var(--text)', borderColor: 'var(--border)' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': {
    background: 'var(--accent)',
    color: 'var(--accent-text)',
  },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--error)' },
});

export interface EditorProps {
  value: string;
  /**
   * Bumped by the parent when it replaces the text (pretty, a new URL). The editor is otherwise
   * uncontrolled: echoing every keystroke back into it would fight with the typing.
   */
  revision: number;
  onChange: (text: string) => void;
  /** Ctrl/Cmd+Enter. */
  onRun: () => void;
  label: string;
}

export function PromQLEditor({ value, revision, onChange, onRun, label }: EditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const cb = useRef({ onChange, onRun });
  cb.current = { onChange, onRun };

  useEffect(() => {
    const runQuery = () => {
      cb.current.onRun();
      return true;
    };
    view.current = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion(),
          syntaxHighlighting(highlight),
          placeholder('PromQL, e.g. sum by (route) (rate(http_requests_total[5m]))'),
          keymap.of([
            { key: 'Mod-Enter', run: runQuery },
            { key: 'Shift-Enter', run: runQuery },
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...historyKeymap,
            ...completionKeymap,
            ...lintKeymap,
          ]),
          EditorView.lineWrapping,
          theme,
          EditorView.contentAttributes.of({ 'aria-label': label, spellcheck: 'false' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) cb.current.onChange(u.state.doc.toString());
          }),
          promql.asExtension(),
        ],
      }),
    });
    return () => view.current?.destroy();
  }, []);

  // Outside changes (the pretty button, the URL) replace the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [revision]);

  return <div ref={host} class="editor" />;
}
