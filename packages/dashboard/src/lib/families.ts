/**
 * What to draw for a service, chosen from the series it has and the types in /api/v1/metadata:
 * the HTTP row (request rate, 5xx ratio, latency quantiles, by route), the runtime row (CPU,
 * memory, event-loop lag or goroutines, GC), then one chart per other metric (counters as rates,
 * gauges as values, histograms as quantiles).
 *
 * Naming differs by client, so each role lists the names and labels it accepts:
 * the TinyObs SDK and prom-client (`http_request_duration_seconds{method,route,status}`), the
 * original Go SDK (`http_requests_total{path,method,status}`, `go_*`) and OpenTelemetry
 * (`http.server.request.duration` → `http_server_request_duration_seconds{http_route,
 * http_response_status_code}`; the older `http.server.duration` in milliseconds).
 */

import type { PanelQuery } from '../components/panel.js';
import type { Unit } from './format.js';
import type { Metric, MetricMeta } from './prom.js';

export interface PanelSpec {
  title: string;
  queries: PanelQuery[];
  unit: Unit;
  /** The metric names it draws (for the metric filter). */
  metrics: string[];
}

export interface ServicePlan {
  service: string;
  http: PanelSpec[];
  runtime: PanelSpec[];
  other: PanelSpec[];
}

const DURATION_HISTOGRAMS: readonly { name: string; scale: number }[] = [
  { name: 'http_request_duration_seconds', scale: 1 },
  { name: 'http_server_request_duration_seconds', scale: 1 },
  { name: 'http_server_duration_seconds', scale: 1 },
  { name: 'http_server_requests_seconds', scale: 1 },
  { name: 'http_server_duration_milliseconds', scale: 1000 },
  { name: 'http_server_duration', scale: 1000 },
];
const REQUEST_COUNTERS = [
  'http_requests_total',
  'http_server_requests_total',
  'http_server_request_count_total',
];
const ROUTE_LABELS = ['route', 'http_route', 'path', 'handler', 'endpoint', 'uri', 'url_path'];
const STATUS_LABELS = ['status', 'status_code', 'code', 'http_response_status_code', 'http_status_code'];
const MEMORY = [
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'go_memory_heap_bytes',
  'go_memstats_heap_inuse_bytes',
  'go_memory_sys_bytes',
];
const LAG = ['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_seconds'];
const GC_HISTOGRAMS = ['nodejs_gc_duration_seconds', 'go_gc_duration_seconds', 'go_gc_pause_seconds'];

/** The map's value for `key`, added by `make` when missing. */
export function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** A PromQL string literal (label values may hold quotes and backslashes). */
export function promString(s: string): string {
  return JSON.stringify(s);
}

interface Family {
  name: string;
  type: string;
  /** Series names that belong to it (`x_bucket`, `x_sum`, `x_count` for a histogram). */
  members: Set<string>;
  labels: Set<string>;
}

/** Groups a service's series names into families with a type (metadata first, else by suffix). */
export function families(
  names: Map<string, Set<string>>,
  meta: Record<string, MetricMeta[]>,
): Map<string, Family> {
  const out = new Map<string, Family>();
  const add = (fam: string, type: string, member: string) => {
    const f = getOrAdd(out, fam, () => ({
      name: fam,
      type,
      members: new Set<string>(),
      labels: new Set<string>(),
    }));
    f.members.add(member);
    for (const l of names.get(member) ?? []) f.labels.add(l);
  };
  for (const name of names.keys()) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const baseType = meta[base]?.[0]?.type;
    if (
      base !== name &&
      (baseType === 'histogram' || baseType === 'summary' || names.has(`${base}_bucket`))
    ) {
      add(base, baseType ?? 'histogram', name);
    } else if (names.get(name)?.has('quantile')) {
      add(name, 'summary', name);
    } else {
      const type = meta[name]?.[0]?.type ?? (name.endsWith('_total') ? 'counter' : 'gauge');
      add(name, type, name);
    }
  }
  return out;
}

function unitOf(name: string): Unit {
  if (/_seconds(_total)?$/.test(name)) return 's';
  if (/_bytes(_total)?$/.test(name)) return 'bytes';
  if (/_ratio$/.test(name)) return 'ratio';
  return '';
}

/** The charts for one service; `sel` is the service's matcher list (`service="x",k="v"`). */
export function planService(
  service: string,
  series: Metric[],
  meta: Record<string, MetricMeta[]>,
  sel: string,
): ServicePlan {
  const names = new Map<string, Set<string>>();
  for (const m of series) {
    const n = m.__name__;
    if (!n) continue;
    const set = getOrAdd(names, n, () => new Set<string>());
    for (const k of Object.keys(m)) set.add(k);
  }
  const fams = families(names, meta);
  const used = new Set<string>();
  const plan: ServicePlan = { service, http: [], runtime: [], other: [] };
  const withSel = (name: string, extra = '') => `${name}{${sel}${extra}}`;

  // HTTP
  const hist = DURATION_HISTOGRAMS.find((h) => fams.get(h.name)?.members.has(`${h.name}_bucket`));
  const counter = REQUEST_COUNTERS.find((c) => fams.has(c));
  const reqLabels = fams.get(counter ?? hist?.name ?? '')?.labels ?? new Set<string>();
  const route = ROUTE_LABELS.find((l) => reqLabels.has(l));
  const status = STATUS_LABELS.find((l) => reqLabels.has(l));
  const count = counter ?? (hist ? `${hist.name}_count` : undefined);
  if (count) {
    const by = route ? ` by (${route})` : '';
    const legend = route ? `{{${route}}}` : 'all';
    const rate = (extra = '') => `sum${by} (rate(${withSel(count, extra)}[$__rate]))`;
    plan.http.push({
      title: 'Request rate by route',
      queries: [{ expr: rate(), legend }],
      unit: 'ops',
      metrics: [count],
    });
    if (status) {
      plan.http.push({
        title: 'Error ratio (5xx) by route',
        queries: [{ expr: `(${rate(`,${status}=~"5.."`)} or ${rate()} * 0) / ${rate()}`, legend }],
        unit: 'ratio',
        metrics: [count],
      });
    }
    used.add(count.replace(/_count$/, ''));
  }
  if (hist) {
    const scale = hist.scale === 1 ? '' : ` / ${hist.scale}`;
    const q = (p: number, by = 'le') =>
      `histogram_quantile(${p}, sum by (${by}) (rate(${withSel(`${hist.name}_bucket`)}[$__rate])))${scale}`;
    plan.http.push({
      title: 'Latency p50 / p95 / p99',
      queries: [
        { expr: q(0.5), legend: 'p50' },
        { expr: q(0.95), legend: 'p95' },
        { expr: q(0.99), legend: 'p99' },
      ],
      unit: 's',
      metrics: [hist.name],
    });
    if (route) {
      plan.http.push({
        title: 'Latency p95 by route',
        queries: [{ expr: q(0.95, `le, ${route}`), legend: `{{${route}}}` }],
        unit: 's',
        metrics: [hist.name],
      });
    }
    used.add(hist.name);
  }

  // Runtime
  if (fams.has('process_cpu_seconds_total')) {
    plan.runtime.push({
      title: 'CPU (cores)',
      queries: [{ expr: `sum(rate(${withSel('process_cpu_seconds_total')}[$__rate]))`, legend: 'cpu' }],
      unit: '',
      metrics: ['process_cpu_seconds_total'],
    });
    used.add('process_cpu_seconds_total');
  } else if (fams.has('process_cpu_user_seconds_total')) {
    const cpu = ['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total'].filter((n) =>
      fams.has(n),
    );
    plan.runtime.push({
      title: 'CPU (cores)',
      queries: cpu.map((n) => ({ expr: `sum(rate(${withSel(n)}[$__rate]))`, legend: n.split('_')[2]! })),
      unit: '',
      metrics: cpu,
    });
    for (const n of cpu) used.add(n);
  }
  const mem = MEMORY.filter((n) => fams.has(n));
  if (mem.length > 0) {
    plan.runtime.push({
      title: 'Memory',
      queries: mem.map((n) => ({ expr: `sum(${withSel(n)})`, legend: n })),
      unit: 'bytes',
      metrics: mem,
    });
    for (const n of mem) used.add(n);
  }
  const lag = LAG.find((n) => fams.has(n));
  if (lag) {
    plan.runtime.push({
      title: 'Event-loop lag',
      queries: [{ expr: `max(${withSel(lag)})`, legend: 'lag' }],
      unit: 's',
      metrics: [lag],
    });
    used.add(lag);
  } else if (fams.has('go_goroutines')) {
    plan.runtime.push({
      title: 'Goroutines',
      queries: [{ expr: `sum(${withSel('go_goroutines')})`, legend: 'goroutines' }],
      unit: '',
      metrics: ['go_goroutines'],
    });
    used.add('go_goroutines');
  }
  const gc = GC_HISTOGRAMS.find((n) => fams.get(n)?.members.has(`${n}_sum`));
  if (gc) {
    plan.runtime.push({
      title: 'GC time (share of wall time)',
      queries: [{ expr: `sum(rate(${withSel(`${gc}_sum`)}[$__rate]))`, legend: 'gc' }],
      unit: 'ratio',
      metrics: [gc],
    });
    used.add(gc);
  } else if (fams.has('go_gc_count')) {
    plan.runtime.push({
      title: 'GC runs per second',
      queries: [{ expr: `sum(rate(${withSel('go_gc_count')}[$__rate]))`, legend: 'gc' }],
      unit: 'ops',
      metrics: ['go_gc_count'],
    });
    used.add('go_gc_count');
  }

  // Everything else, by type.
  for (const f of [...fams.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (used.has(f.name)) continue;
    const unit = unitOf(f.name);
    if (f.type === 'histogram' && f.members.has(`${f.name}_bucket`)) {
      const q = (p: number) =>
        `histogram_quantile(${p}, sum by (le) (rate(${withSel(`${f.name}_bucket`)}[$__rate])))`;
      plan.other.push({
        title: `${f.name} p50 / p95 / p99`,
        queries: [
          { expr: q(0.5), legend: 'p50' },
          { expr: q(0.95), legend: 'p95' },
          { expr: q(0.99), legend: 'p99' },
        ],
        unit,
        metrics: [f.name],
      });
    } else if (f.type === 'summary') {
      plan.other.push({
        title: `${f.name} quantiles`,
        queries: [{ expr: `max by (quantile) (${withSel(f.name)})`, legend: 'q{{quantile}}' }],
        unit,
        metrics: [f.name],
      });
    } else if (f.type === 'counter') {
      plan.other.push({
        title: `${f.name} per second`,
        queries: [{ expr: `sum without (instance) (rate(${withSel(f.name)}[$__rate]))` }],
        unit: unit === 's' ? 'ratio' : unit === 'bytes' ? 'bytes' : 'ops',
        metrics: [f.name],
      });
    } else {
      plan.other.push({ title: f.name, queries: [{ expr: withSel(f.name) }], unit, metrics: [f.name] });
    }
  }
  return plan;
}
