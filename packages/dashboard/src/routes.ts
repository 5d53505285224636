/**
 * The pages of the dashboard, one file each under pages/. Adding a page (Alerts, Rules…) is one
 * file and one line here: the header's navigation and the `g <key>` shortcut come from this table.
 */

import type { FunctionComponent } from 'preact';
import type { PageProps } from './lib/context.js';
import { Explore } from './pages/explore.js';
import { Metrics } from './pages/metrics.js';
import { Overview } from './pages/overview.js';

export interface Route {
  /** The URL's page segment: `#/<path>`. */
  path: string;
  title: string;
  /** `g` then this key opens the page. */
  key: string;
  component: FunctionComponent<PageProps>;
}

export const ROUTES: readonly Route[] = [
  { path: 'overview', title: 'Overview', key: 'o', component: Overview },
  { path: 'explore', title: 'Explore', key: 'e', component: Explore },
  { path: 'metrics', title: 'Metrics', key: 'm', component: Metrics },
];
