/**
 * The dashboard reads everything through the Prometheus HTTP API and the native stats endpoint,
 * like any other client of TinyObs. One function per endpoint; failures become {@link ApiError}
 * with the server's own message (which names the parameter and the rule).
 */

export type Metric = Record<string, string>;
export interface MatrixSeries {
  metric: Metric;
  values: [number, string][];
}
export interface VectorSample {
  metric: Metric;
  value: [number, string];
}
export interface MetricMeta {
  type: string;
  help: string;
  unit?: string;
}
export interface Stats {
  series: number;
  samples: number;
  samples_ingested_since_start: number;
  bytes_used: number;
  bytes_budget: number;
  uptime_seconds: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Reports whether the server answered the last request (for the header's connection state). */
export const connection = {
  ok: true,
  listeners: new Set<(ok: boolean) => void>(),
  set(ok: boolean) {
    if (ok === this.ok) return;
    this.ok = ok;
    for (const l of this.listeners) l(ok);
  },
};

async function call<T>(path: string, form?: URLSearchParams, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(
      path,
      form === undefined
        ? { signal: signal ?? null }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: form.toString(),
            signal: signal ?? null,
          },
    );
  } catch (err) {
    if ((err as Error).name !== 'AbortError') connection.set(false);
    throw err;
  }
  connection.set(true);
  const body = (await res.json().catch(() => null)) as {
    status?: string;
    data?: T;
    error?: string;
    message?: string;
  } | null;
  if (!res.ok || body === null || body.status === 'error') {
    throw new ApiError(res.status, body?.error ?? body?.message ?? `HTTP ${res.status} from ${path}`);
  }
  return (path.startsWith('/api/') ? body.data : body) as T;
}

export function queryRange(
  query: string,
  start: number,
  end: number,
  step: number,
  signal?: AbortSignal,
): Promise<{ resultType: string; result: MatrixSeries[] }> {
  const form = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  return call('/api/v1/query_range', form, signal);
}

export function instantQuery(
  query: string,
  time?: number,
  signal?: AbortSignal,
): Promise<{ resultType: string; result: VectorSample[] | [number, string] }> {
  const form = new URLSearchParams({ query });
  if (time !== undefined) form.set('time', String(time));
  return call('/api/v1/query', form, signal);
}

export function series(match: string[], start?: number, end?: number): Promise<Metric[]> {
  const form = new URLSearchParams();
  for (const m of match) form.append('match[]', m);
  if (start !== undefined) form.set('start', String(start));
  if (end !== undefined) form.set('end', String(end));
  return call('/api/v1/series', form);
}

export function labelNames(match?: string): Promise<string[]> {
  const form = new URLSearchParams();
  if (match) form.append('match[]', match);
  return call('/api/v1/labels', form);
}

export function labelValues(name: string, match?: string): Promise<string[]> {
  const q = match ? `?${new URLSearchParams({ 'match[]': match })}` : '';
  return call(`/api/v1/label/${encodeURIComponent(name)}/values${q}`);
}

export function metadata(): Promise<Record<string, MetricMeta[]>> {
  return call('/api/v1/metadata');
}

export function formatQuery(query: string): Promise<string> {
  return call('/api/v1/format_query', new URLSearchParams({ query }));
}

export function stats(): Promise<Stats> {
  return call('/v1/stats');
}

/** Series count per metric name, largest first (cardinality at a glance). */
export async function seriesPerMetric(): Promise<Map<string, number>> {
  const r = await call<{ top_metrics: { metric: string; series: number }[] }>('/v1/cardinality?limit=100000');
  return new Map(r.top_metrics.map((m) => [m.metric, m.series]));
}
