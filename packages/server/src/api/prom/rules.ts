/**
 * `/api/v1/rules` and `/api/v1/alerts` in Prometheus' shapes (what Grafana's alerting view and the
 * dashboard read), and `POST /-/reload`, which reloads the rule files.
 */

import { labelsToRecord } from '../../model/labels.js';
import { type Alert, AlertingRule } from '../../rules/alerting.js';
import type { RuleManager } from '../../rules/manager.js';
import type { Rule } from '../../rules/rule.js';
import { formatE } from '../../rules/template/gofmt.js';
import { sendText } from '../http.js';
import type { Router } from '../router.js';
import { readForm } from './params.js';
import { promHandler } from './query.js';
import { PromApiError, respondSuccess } from './respond.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(ms: number): string {
  return ms === 0 ? ZERO_TIME : new Date(ms).toISOString();
}

/** An alert as Prometheus' API shows it (the value as Go's `%e`, e.g. `1e+00`). */
function alertJson(a: Alert) {
  const out: Record<string, unknown> = {
    labels: labelsToRecord(a.labels),
    annotations: a.annotations,
    state: a.state,
    activeAt: time(a.activeAt),
    value: formatE(a.value),
  };
  if (a.keepFiringSince !== 0) out.keepFiringSince = time(a.keepFiringSince);
  return out;
}

function ruleJson(r: Rule, withAlerts: boolean) {
  const common = {
    name: r.name,
    query: r.spec.expr,
    labels: r.spec.labels,
    health: r.health,
    lastError: r.lastError,
    evaluationTime: r.evaluationSeconds,
    lastEvaluation: time(r.lastEvaluation),
  };
  if (!(r instanceof AlertingRule)) return { ...common, type: 'recording' };
  const alerts = [...r.active.values()].filter((a) => a.state !== 'inactive');
  return {
    state: r.state,
    ...common,
    duration: r.spec.forMs / 1000,
    keepFiringFor: r.spec.keepFiringForMs / 1000,
    annotations: r.spec.annotations,
    alerts: withAlerts ? alerts.map(alertJson) : [],
    type: 'alerting',
  };
}

export function registerRulesRoutes(router: Router, rules: RuleManager): void {
  router.on(
    'GET',
    '/api/v1/rules',
    promHandler(async ({ req, res, url }) => {
      const form = await readForm(req, url);
      const type = form.get('type') ?? '';
      if (type !== '' && type !== 'alert' && type !== 'record')
        throw new PromApiError('bad_data', `type must be "alert" or "record", not ${JSON.stringify(type)}`);
      const names = new Set(form.getAll('rule_name[]'));
      const groupNames = new Set(form.getAll('rule_group[]'));
      const files = new Set(form.getAll('file[]'));
      const excludeAlerts = form.get('exclude_alerts') === 'true';
      const groups = [];
      for (const g of rules.list()) {
        if (groupNames.size > 0 && !groupNames.has(g.spec.name)) continue;
        if (files.size > 0 && !files.has(g.spec.file)) continue;
        const list = g.rules
          .filter((r) => type === '' || (type === 'alert') === r instanceof AlertingRule)
          .filter((r) => names.size === 0 || names.has(r.name))
          .map((r) => ruleJson(r, !excludeAlerts));
        if (list.length === 0 && (type !== '' || names.size > 0)) continue;
        groups.push({
          name: g.spec.name,
          file: g.spec.file,
          rules: list,
          interval: g.intervalMs / 1000,
          limit: g.spec.limit,
          evaluationTime: g.evaluationSeconds,
          lastEvaluation: time(g.lastEvaluation),
        });
      }
      respondSuccess(res, { groups });
    }),
  );
  router.on(
    'GET',
    '/api/v1/alerts',
    promHandler(({ res }) =>
      respondSuccess(res, { alerts: rules.activeAlerts().map(({ alert }) => alertJson(alert)) }),
    ),
  );
  // Reloading changes what the server does: it takes the write key, and no web page may ask for it.
  router.on(
    ['POST', 'PUT'],
    '/-/reload',
    async ({ res }) => {
      await rules.reload();
      sendText(res, 200, '', 'text/plain; charset=utf-8');
    },
    'write',
  );
}
