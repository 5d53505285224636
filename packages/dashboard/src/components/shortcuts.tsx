/** Keyboard shortcuts and the `?` overlay that lists them. */

import { useEffect, useRef } from 'preact/hooks';
import { goTo, patchView, readView } from '../lib/view.js';
import { ROUTES } from '../routes.js';

export const SHORTCUTS: readonly [string, string][] = [
  ['?', 'show or hide this help'],
  ...ROUTES.map((r) => [`g ${r.key}`, `go to ${r.title}`] as [string, string]),
  ['/', 'focus the search or filter field'],
  ['t', 'toggle dark / light theme'],
  ['l', 'toggle live mode'],
  ['Ctrl+Enter', 'run the query (in the editor)'],
  ['Esc', 'close this help'],
];

function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

export function useShortcuts(actions: {
  toggleHelp: () => void;
  closeHelp: () => void;
  toggleTheme: () => void;
}) {
  useEffect(() => {
    let pendingG = false;
    const on = (e: KeyboardEvent) => {
      if (e.key === 'Escape') return actions.closeHelp();
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (pendingG) {
        pendingG = false;
        const r = ROUTES.find((x) => x.key === e.key);
        if (r) goTo(r.path);
        return;
      }
      switch (e.key) {
        case 'g':
          pendingG = true;
          setTimeout(() => {
            pendingG = false;
          }, 1500);
          return;
        case '?':
          return actions.toggleHelp();
        case 't':
          return actions.toggleTheme();
        case 'l':
          return patchView(
            readView().params.get('live') === '1' ? { live: null } : { live: '1', from: null, to: null },
          );
        case '/': {
          const el = document.querySelector<HTMLElement>('[data-shortcut-focus], .cm-content');
          if (el) {
            e.preventDefault();
            el.focus();
          }
          return;
        }
      }
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);
}

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose} ref={close}>
          Close
        </button>
      </div>
    </div>
  );
}
