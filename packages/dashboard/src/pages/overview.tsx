/**
 * Services overview: one card per `service` with its state and last-seen time, its HTTP and
 * runtime rows and one chart per other metric, filtered by service, metric and label. With no
 * data at all it shows the first-run page and polls until data arrives.
 */

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Panel } from '../components/panel.js';
import type { PageProps } from '../lib/context.js';
import { type PanelSpec, planService, promString, type ServicePlan } from '../lib/families.js';
import { useNearView } from '../lib/near_view.js';
import { instantQuery, type Metric, type MetricMeta, metadata, series, stats } from '../lib/prom.js';
import { ago, resolveRange } from '../lib/time.js';
import { patchView } from '../lib/view.js';
import { FirstRun } from './first_run.js';

interface Inventory {
  services: Map<string, Metric[]>;
  meta: Record<string, MetricMeta[]>;
  lastSeen: Map<string, number>;
  total: number;
}

/** Seconds since the newest sample: live below this, stale up to the 5-minute lookback, then gone. */
const LIVE_WITHIN_S = 60;

async function loadInventory(start: number, end: number): Promise<Inventory> {
  const [all, meta, seen, st] = await Promise.all([
    series(['{service!=""}'], start, end),
    metadata(),
    instantQuery('max by (service) (timestamp({service!=""}))'),
    stats(),
  ]);
  const services = new Map<string, Metric[]>();
  for (const m of all) {
    const s = m.service ?? '';
    const list = services.get(s);
    if (list) list.push(m);
    else services.set(s, [m]);
  }
  const lastSeen = new Map<string, number>();
  if (Array.isArray(seen.result)) {
    for (const v of seen.result as { metric: Metric; value: [number, string] }[]) {
      lastSeen.set(v.metric.service ?? '', Number(v.value[1]));
    }
  }
  return { services, meta, lastSeen, total: st.series };
}

export function Overview({ view, time, live, tick }: PageProps) {
  const p = view.params;
  const serviceFilter = p.get('service') ?? '';
  const metricFilter = p.get('metric') ?? '';
  const labelFilter = p.get('label') ?? '';
  const [inv, setInv] = useState<Inventory | null>(null);
  const [error, setError] = useState('');
  const [poll, setPoll] = useState(0);

  useEffect(() => {
    const { start, end } = resolveRange(time);
    loadInventory(start, end).then(
      (i) => {
        setInv(i);
        setError('');
      },
      (err: Error) => setError(err.message),
    );
  }, [time.range, time.from, time.to, tick, poll]);

  // First run: ask again every two seconds until the first series arrives.
  const empty = inv !== null && inv.total === 0;
  useEffect(() => {
    if (!empty) return;
    const t = setInterval(() => setPoll((n) => n + 1), 2000);
    return () => clearInterval(t);
  }, [empty]);

  const label = parseLabelFilter(labelFilter);
  const plans = useMemo(() => {
    if (inv === null) return [];
    const out: ServicePlan[] = [];
    for (const [svc, list] of [...inv.services].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (serviceFilter && svc !== serviceFilter) continue;
      const matching = label ? list.filter((m) => m[label.name] === label.value) : list;
      if (matching.length === 0) continue;
      const sel = `service=${promString(svc)}${label ? `,${label.name}=${promString(label.value)}` : ''}`;
      out.push(planService(svc, matching, inv.meta, sel));
    }
    return out;
  }, [inv, serviceFilter, labelFilter]);

  if (error && inv === null) return <p class="error">Cannot load the services: {error}</p>;
  if (inv === null) return <p class="muted">Loading services…</p>;
  if (empty) return <FirstRun />;

  const keep = (spec: PanelSpec) => !metricFilter || spec.metrics.some((m) => m.includes(metricFilter));
  const page = { time, live, tick };
  const now = Date.now() / 1000;
  return (
    <div class="overview">
      <div class="filters">
        <label>
          Service{' '}
          <select
            value={serviceFilter}
            onChange={(e) => patchView({ service: e.currentTarget.value || null })}
          >
            <option value="">all ({inv.services.size})</option>
            {[...inv.services.keys()].sort().map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Metric{' '}
          <input
            type="search"
            placeholder="name contains…"
            value={metricFilter}
            data-shortcut-focus
            onInput={(e) => patchView({ metric: e.currentTarget.value || null }, true)}
          />
        </label>
        <label>
          Label{' '}
          <input
            type="search"
            placeholder="route=/checkout"
            value={labelFilter}
            onChange={(e) => patchView({ label: e.currentTarget.value || null }, true)}
          />
        </label>
      </div>
      {inv.services.size === 0 ? (
        <p class="muted">
          {inv.total} series, but none with a <code>service</code> label in this range. Browse them in Metrics
          or Explore.
        </p>
      ) : null}
      {plans.map((plan) => {
        const seen = inv.lastSeen.get(plan.service);
        const age = seen === undefined ? undefined : now - seen;
        const rows: [string, PanelSpec[]][] = [
          ['HTTP', plan.http.filter(keep)],
          ['Runtime', plan.runtime.filter(keep)],
          ['Metrics', plan.other.filter(keep)],
        ];
        if (rows.every(([, r]) => r.length === 0)) return null;
        return <ServiceCard key={plan.service} service={plan.service} age={age} rows={rows} page={page} />;
      })}
    </div>
  );
}

interface CardProps {
  service: string;
  /** Seconds since its newest sample; undefined when none in the lookback window. */
  age: number | undefined;
  rows: [string, PanelSpec[]][];
  page: Omit<PageProps, 'view'>;
}

/** One service; its rows render once the card nears the viewport (a placeholder keeps its height). */
function ServiceCard({ service, age, rows, page }: CardProps) {
  const el = useRef<HTMLElement>(null);
  const near = useNearView(el, '400px');
  const state = age === undefined ? 'gone' : age <= LIVE_WITHIN_S ? 'live' : 'stale';
  const estimate = rows.reduce(
    (h, [, specs]) => h + (specs.length ? 40 + Math.ceil(specs.length / 3) * 240 : 0),
    0,
  );
  return (
    <article
      ref={el}
      class="service"
      data-service={service}
      data-panels={rows.reduce((n, [, specs]) => n + specs.length, 0)}
    >
      <header>
        <h2>{service}</h2>
        <span class={`state ${state}`} title="live: pushed in the last minute; stale: in the last 5 minutes">
          {state}
        </span>
        <span class="muted">
          {age === undefined ? 'not seen in the last 5 minutes' : `last seen ${ago(age)}`}
        </span>
      </header>
      {!near ? <div class="placeholder" style={{ height: `${estimate}px` }} /> : null}
      {!near
        ? null
        : rows.map(([name, specs]) =>
            specs.length === 0 ? null : (
              <div key={name} class="row">
                <h4>{name}</h4>
                <div class="grid">
                  {specs.map((spec) => (
                    <Panel
                      key={spec.title}
                      title={spec.title}
                      queries={spec.queries}
                      unit={spec.unit}
                      time={page.time}
                      live={page.live}
                      tick={page.tick}
                      lazy
                    />
                  ))}
                </div>
              </div>
            ),
          )}
    </article>
  );
}

function parseLabelFilter(text: string): { name: string; value: string } | null {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"?(.*?)"?\s*$/.exec(text);
  return m ? { name: m[1]!, value: m[2]! } : null;
}
