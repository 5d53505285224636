/** The shell: header, the current page from the route table, shortcuts, auto-refresh. */

import { useEffect, useState } from 'preact/hooks';
import { Header } from './components/header.js';
import { HelpOverlay, useShortcuts } from './components/shortcuts.js';
import { timeOf } from './lib/context.js';
import { applyTheme, initialTheme, type Theme } from './lib/theme.js';
import { parseDuration } from './lib/time.js';
import { useView } from './lib/view.js';
import { ROUTES } from './routes.js';

export function App() {
  const view = useView();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [help, setHelp] = useState(false);
  const [tick, setTick] = useState(0);
  const toggleTheme = () =>
    setTheme((t) => {
      const next = t === 'dark' ? 'light' : 'dark';
      applyTheme(next, true);
      return next;
    });
  useEffect(() => applyTheme(theme, false), []);
  useShortcuts({ toggleHelp: () => setHelp((h) => !h), closeHelp: () => setHelp(false), toggleTheme });

  const p = view.params;
  const live = p.get('live') === '1';
  const refresh = parseDuration(p.get('refresh') ?? '');
  useEffect(() => {
    if (!refresh || live) return;
    const t = setInterval(() => setTick((n) => n + 1), refresh * 1000);
    return () => clearInterval(t);
  }, [refresh, live]);

  const route = ROUTES.find((r) => r.path === view.page) ?? ROUTES[0]!;
  const Page = route.component;
  useEffect(() => {
    document.title = `${route.title} · TinyObs`;
  }, [route]);
  const time = timeOf(p);
  return (
    <>
      <Header view={view} theme={theme} onTheme={toggleTheme} onHelp={() => setHelp((h) => !h)} />
      <main id="main" data-page={route.path} key={theme}>
        <Page view={view} time={time} live={live && time.from === undefined} tick={tick} />
      </main>
      {help ? <HelpOverlay onClose={() => setHelp(false)} /> : null}
    </>
  );
}
