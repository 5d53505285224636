/**
 * Live mode: one server-sent event stream (`POST /api/v1/live`) carries the new points of every
 * chart on screen, so a page with many charts holds one connection, not one per chart (browsers
 * allow six per server). Charts subscribe and unsubscribe; the stream is reopened, batched, when
 * the set of queries changes.
 */

import type { MatrixSeries } from './prom.js';

export interface LiveEvent {
  start: number;
  end: number;
  step: number;
  results: { result?: MatrixSeries[]; error?: string }[];
}

interface Subscription {
  queries: string[];
  step: number;
  /** First step this subscriber still needs (Unix seconds). */
  from: number;
  onPoints(results: LiveEvent['results']): void;
}

/** The server accepts this many queries per stream; more open further streams. */
const MAX_PER_STREAM = 50;

export type LiveState = 'off' | 'connecting' | 'live' | 'error';
export const liveState = {
  value: 'off' as LiveState,
  listeners: new Set<(s: LiveState) => void>(),
  set(s: LiveState) {
    this.value = s;
    for (const l of this.listeners) l(s);
  },
};

const subs = new Set<Subscription>();
let streams: AbortController[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

/** Subscribes to new points of `queries` on the `step` grid after `from`; returns the unsubscribe. */
export function subscribeLive(
  queries: string[],
  step: number,
  from: number,
  onPoints: Subscription['onPoints'],
): () => void {
  const sub: Subscription = { queries, step, from, onPoints };
  subs.add(sub);
  schedule();
  return () => {
    subs.delete(sub);
    schedule();
  };
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(reconnect, 150);
}

function reconnect() {
  for (const s of streams) s.abort();
  streams = [];
  if (subs.size === 0) {
    liveState.set('off');
    return;
  }
  liveState.set('connecting');
  // One stream per step (charts of one page share their width, hence their step).
  const byStep = new Map<number, Subscription[]>();
  for (const s of subs) byStep.set(s.step, [...(byStep.get(s.step) ?? []), s]);
  for (const [step, group] of byStep) {
    let batch: Subscription[] = [];
    let count = 0;
    for (const s of group) {
      if (count + s.queries.length > MAX_PER_STREAM && batch.length > 0) {
        open(step, batch);
        batch = [];
        count = 0;
      }
      batch.push(s);
      count += s.queries.length;
    }
    if (batch.length > 0) open(step, batch);
  }
}

function open(step: number, group: Subscription[]) {
  const ctrl = new AbortController();
  streams.push(ctrl);
  const form = new URLSearchParams({
    step: String(step),
    start: String(Math.min(...group.map((s) => s.from))),
  });
  for (const s of group) for (const q of s.queries) form.append('query', q);
  void (async () => {
    try {
      const res = await fetch('/api/v1/live', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/event-stream' },
        body: form.toString(),
        signal: ctrl.signal,
      });
      if (!res.ok || res.body === null) throw new Error(`live stream: HTTP ${res.status}`);
      liveState.set('live');
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut = buf.indexOf('\n\n');
        while (cut >= 0) {
          dispatch(buf.slice(0, cut), group);
          buf = buf.slice(cut + 2);
          cut = buf.indexOf('\n\n');
        }
      }
      if (!ctrl.signal.aborted) throw new Error('live stream ended');
    } catch {
      if (ctrl.signal.aborted) return;
      liveState.set('error');
      // The server restarted or the network dropped: try again shortly, from where each chart is.
      setTimeout(() => {
        if (!ctrl.signal.aborted) schedule();
      }, 3000);
    }
  })();
}

function dispatch(block: string, group: Subscription[]) {
  let event = 'message';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (event !== 'points' || data === '') return;
  const ev = JSON.parse(data) as LiveEvent;
  let i = 0;
  for (const s of group) {
    const mine = ev.results.slice(i, i + s.queries.length);
    i += s.queries.length;
    s.from = ev.end + ev.step;
    s.onPoints(mine);
  }
}
