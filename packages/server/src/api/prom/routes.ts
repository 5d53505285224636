/** The Prometheus HTTP API, so that Grafana and other Prometheus clients work against TinyObs. */

import type { Engine } from '../../promql/engine/engine.js';
import type { Queryable } from '../../storage/types.js';
import type { Router } from '../router.js';
import { registerMetaRoutes } from './meta.js';
import { registerQueryRoutes } from './query.js';
import { registerStatusRoutes } from './status.js';

export function registerPrometheusApi(
  router: Router,
  engine: Engine,
  store: Queryable,
  startedAt: number,
): void {
  registerQueryRoutes(router, engine, store);
  registerMetaRoutes(router, store);
  registerStatusRoutes(router, store, startedAt);
}
