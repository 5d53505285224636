/** Builds the rule manager and its notifiers from the server's settings. */

import type { ServerConfig } from '../config/settings.js';
import type { Logger } from '../log.js';
import type { Engine } from '../promql/engine/engine.js';
import type { Appendable, Queryable } from '../storage/types.js';
import { type Clock, systemClock } from './clock.js';
import { loadRuleFiles } from './file.js';
import { expandGlobs } from './glob.js';
import { RuleManager } from './manager.js';
import { AlertmanagerNotifier } from './notify/alertmanager.js';
import { fanOut, type Notifier } from './notify/types.js';
import { WebhookNotifier } from './notify/webhook.js';
import { engineQueryFunc } from './query.js';

type RulesConfig = Pick<
  ServerConfig,
  | 'rules'
  | 'rulesEvalIntervalMs'
  | 'alertWebhooks'
  | 'alertmanagerUrls'
  | 'alertGroupBy'
  | 'alertGroupWaitMs'
  | 'alertGroupIntervalMs'
  | 'alertRepeatIntervalMs'
>;

/** Validates the rule files before anything starts; throws a `RuleFileError` naming each problem. */
export function checkRuleFiles(config: RulesConfig): void {
  loadRuleFiles(expandGlobs(config.rules));
}

/** A manager with the configured notifiers; call `load(config.rules)` to start it. */
export function createRuleManager(
  config: RulesConfig,
  deps: {
    store: Appendable & Queryable;
    engine: Engine;
    log: Logger;
    externalURL: () => string;
    clock?: Clock;
  },
): RuleManager {
  const clock = deps.clock ?? systemClock;
  const notifiers: Notifier[] = [];
  if (config.alertWebhooks.length > 0)
    notifiers.push(
      new WebhookNotifier({
        urls: config.alertWebhooks,
        groupBy: config.alertGroupBy,
        groupWaitMs: config.alertGroupWaitMs,
        groupIntervalMs: config.alertGroupIntervalMs,
        repeatIntervalMs: config.alertRepeatIntervalMs,
        externalURL: deps.externalURL,
        clock,
        log: deps.log,
      }),
    );
  if (config.alertmanagerUrls.length > 0)
    notifiers.push(new AlertmanagerNotifier(config.alertmanagerUrls, clock, deps.log));
  return new RuleManager({
    store: deps.store,
    query: engineQueryFunc(deps.engine, deps.store),
    log: deps.log,
    clock,
    defaultIntervalMs: config.rulesEvalIntervalMs,
    externalURL: deps.externalURL,
    notifier: notifiers.length === 0 ? null : fanOut(notifiers),
  });
}
