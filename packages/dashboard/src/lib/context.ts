/** What every page receives from the shell: the view (URL) and the shared time controls. */

import type { TimeSpec } from './time.js';
import type { View } from './view.js';

export interface PageProps {
  view: View;
  time: TimeSpec;
  live: boolean;
  /** Changes on every auto-refresh tick. */
  tick: number;
}

export function timeOf(params: URLSearchParams): TimeSpec {
  const from = Number(params.get('from'));
  const to = Number(params.get('to'));
  return {
    range: params.get('range') ?? '1h',
    ...(from > 0 && to > from ? { from, to } : {}),
  };
}
