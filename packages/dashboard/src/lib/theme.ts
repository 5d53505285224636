/** Dark and light themes: the system's choice until the user toggles, then the remembered one. */

export type Theme = 'light' | 'dark';
const KEY = 'tinyobs.theme';

export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(t: Theme, remember: boolean): void {
  document.documentElement.dataset.theme = t;
  if (remember) localStorage.setItem(KEY, t);
}
