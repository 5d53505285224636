// Type tests: `npm run typecheck` compiles this file, so a regression in label-name inference
// fails the build; the runtime part only checks that the calls are harmless.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createTinyObs } from '../src/index.js';

it('infers label names from the definition without `as const`', async () => {
  const obs = createTinyObs({
    service: 'types',
    flushIntervalMs: 0,
    shutdownOnExit: false,
    onWarning: () => {},
  });
  const c = obs.counter({ name: 'typed_total', labelNames: ['method', 'status'] });
  c.inc({ method: 'GET', status: 200 });
  // @ts-expect-error: `route` is not a label name of this counter
  c.inc({ method: 'GET', route: '/x' });
  // @ts-expect-error: label values are strings or numbers
  c.inc({ method: true });
  const g = obs.gauge({ name: 'typed_gauge' });
  g.set(1);
  // @ts-expect-error: a gauge without label names takes no labels
  g.set(1, { a: 'x' });
  const h = obs.histogram({ name: 'typed_seconds', labelNames: ['op'] });
  const stop = h.startTimer({ op: 'a' });
  stop({ op: 'b' });
  const n: number = await h.time(async () => 5, { op: 'c' });
  assert.equal(n, 5);
  assert.equal(obs.stats().dropped.unknown_label, 2);
  assert.equal(obs.stats().dropped.invalid_label, 1);
});
