/**
 * The whole view lives in the URL hash (`#/explore?q=…&range=1h`), so a link reproduces what is
 * on screen and the browser's back button works. Hash routing keeps every server path free for
 * the API: the server only ever serves `/`.
 */

import { useEffect, useState } from 'preact/hooks';

export interface View {
  /** The page: the first path segment after `#/`. */
  page: string;
  params: URLSearchParams;
}

export function readView(hash = location.hash): View {
  const text = hash.replace(/^#\/?/, '');
  const q = text.indexOf('?');
  const page = (q < 0 ? text : text.slice(0, q)) || 'overview';
  return { page, params: new URLSearchParams(q < 0 ? '' : text.slice(q + 1)) };
}

export function viewHash(page: string, params: URLSearchParams): string {
  const q = params.toString();
  return `#/${page}${q ? `?${q}` : ''}`;
}

/** Updates the URL: `replace` for continuous edits (typing), push for navigation. */
export function setView(page: string, params: URLSearchParams, replace = false): void {
  const hash = viewHash(page, params);
  if (hash === location.hash) return;
  if (replace) history.replaceState(null, '', hash);
  else history.pushState(null, '', hash);
  window.dispatchEvent(new Event('tinyobs:view'));
}

/** Changes some parameters of the current view; `null` removes one. */
export function patchView(changes: Record<string, string | string[] | null>, replace = false): void {
  const v = readView();
  for (const [k, val] of Object.entries(changes)) {
    v.params.delete(k);
    if (val === null) continue;
    for (const one of Array.isArray(val) ? val : [val]) v.params.append(k, one);
  }
  setView(v.page, v.params, replace);
}

/** The parameters every page shares: range, absolute times, refresh and live. */
export function timeParams(p: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of ['range', 'from', 'to', 'refresh', 'live']) {
    const v = p.get(k);
    if (v !== null) out.set(k, v);
  }
  return out;
}

/** Goes to a page keeping the time parameters, which every page shares. */
export function goTo(page: string, extra: Record<string, string | string[]> = {}): void {
  const params = timeParams(readView().params);
  for (const [k, v] of Object.entries(extra))
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  setView(page, params);
}

/** The current view, re-rendering on every change. */
export function useView(): View {
  const [view, setState] = useState(readView);
  useEffect(() => {
    const on = () => setState(readView());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    window.addEventListener('tinyobs:view', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
      window.removeEventListener('tinyobs:view', on);
    };
  }, []);
  return view;
}
