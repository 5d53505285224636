import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Labels, labelsFromRecord } from '../../model/labels.js';
import { newMatcher } from '../../model/matcher.js';
import { STALE_NAN } from '../../model/sample.js';
import { Head } from '../../tsdb/head/head.js';
import type { Expr, VectorSelector } from '../parser/ast.js';
import { parseExpr } from '../parser/parse.js';
import { Engine, PromQLError } from './engine.js';

const pos = { start: 0, end: 0 };

function selector(name: string): VectorSelector {
  return {
    kind: 'VectorSelector',
    name,
    matchers: [newMatcher('=', '__name__', name)],
    offset: 0,
    at: null,
    pos,
  };
}

/** Loads samples; `null` is a stale marker, passed straight from the constant (a JS array of
 * doubles would quiet its NaN payload). */
async function headWith(series: [Labels, [number, number | null][]][]): Promise<Head> {
  const head = new Head();
  const app = head.appender();
  const rows = series.flatMap(([ls, samples]) => samples.map(([t, v]) => ({ ls, t, v })));
  rows.sort((a, b) => a.t - b.t);
  for (const r of rows) app.append(0, r.ls, r.t, r.v === null ? STALE_NAN : r.v);
  await app.commit();
  return head;
}

const counter = (job: string) => labelsFromRecord({ __name__: 'http_requests_total', job });

/** A counter growing by 60 per minute (1/s), sampled every 15 s for 10 minutes. */
async function counters(): Promise<Head> {
  const samples = (k: number): [number, number][] =>
    Array.from({ length: 41 }, (_, i) => [i * 15_000, i * 15 * k]);
  return headWith([
    [counter('a'), samples(1)],
    [counter('b'), samples(2)],
  ]);
}

async function expectError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof PromQLError, `expected a PromQLError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('Engine', () => {
  const engine = new Engine({ parse: parseExpr });

  it('evaluates an AST built by hand (rate over a matrix selector)', async () => {
    const head = await counters();
    const expr: Expr = {
      kind: 'Call',
      func: 'rate',
      args: [{ kind: 'MatrixSelector', vector: selector('http_requests_total'), range: 300_000, pos }],
      pos,
    };
    const r = await engine.instantQuery(head, expr, 600_000);
    assert.equal(r.value.resultType, 'vector');
    if (r.value.resultType !== 'vector') return;
    const byJob = new Map(r.value.result.map((s) => [s.metric.find((l) => l.name === 'job')?.value, s]));
    assert.ok(Math.abs(byJob.get('a')!.v - 1) < 1e-9);
    assert.ok(Math.abs(byJob.get('b')!.v - 2) < 1e-9);
    // rate() drops the metric name.
    assert.ok(r.value.result.every((s) => !s.metric.some((l) => l.name === '__name__')));
  });

  it('answers a range query with a matrix sorted by labels, one point per step', async () => {
    const head = await counters();
    const r = await engine.rangeQuery(
      head,
      'sum by (job) (rate(http_requests_total[1m]))',
      120_000,
      600_000,
      60_000,
    );
    assert.equal(r.value.resultType, 'matrix');
    if (r.value.resultType !== 'matrix') return;
    assert.deepEqual(
      r.value.result.map((s) => s.metric),
      [labelsFromRecord({ job: 'a' }), labelsFromRecord({ job: 'b' })],
    );
    assert.equal(r.value.result[0]!.points.length, 9);
    assert.ok(r.value.result[1]!.points.every((p) => Math.abs(p.v - 2) < 1e-9));
  });

  it('returns scalars and strings from instant queries', async () => {
    const head = new Head();
    assert.deepEqual((await engine.instantQuery(head, '1 + 2 * 3', 1000)).value, {
      resultType: 'scalar',
      t: 1000,
      v: 7,
    });
    assert.deepEqual((await engine.instantQuery(head, '"hello"', 1000)).value, {
      resultType: 'string',
      t: 1000,
      v: 'hello',
    });
  });

  it('ends a series at a stale marker and honours the 5-minute lookback', async () => {
    const ls = labelsFromRecord({ __name__: 'g' });
    const head = await headWith([
      [
        ls,
        [
          [0, 1],
          [60_000, 2],
          [120_000, null],
        ],
      ],
    ]);
    const at = async (t: number) => {
      const r = await engine.instantQuery(head, 'g', t);
      return r.value.resultType === 'vector' ? r.value.result.map((s) => s.v) : null;
    };
    assert.deepEqual(await at(90_000), [2]);
    assert.deepEqual(await at(120_000), []);
    const noStale = await headWith([[ls, [[0, 1]]]]);
    const r = await engine.instantQuery(noStale, 'g', 300_000);
    assert.deepEqual(r.value.resultType === 'vector' ? r.value.result : null, []);
    const r2 = await engine.instantQuery(noStale, 'g', 299_999);
    assert.equal(r2.value.resultType === 'vector' ? r2.value.result.length : -1, 1);
  });

  it('reports parse errors as bad_data', async () => {
    await expectError(engine.instantQuery(new Head(), 'sum(', 0), 'bad_data');
  });

  it('refuses more than 11,000 points per series with Prometheus message', async () => {
    await expectError(
      engine.rangeQuery(new Head(), 'up', 0, 11_001_000, 1000),
      'bad_data',
      /^exceeded maximum resolution of 11,000 points per timeseries\. Try decreasing the query resolution \(\?step=XX\)$/,
    );
  });

  it('enforces the sample limit', async () => {
    const head = await counters();
    const small = new Engine({ parse: parseExpr, maxSamples: 1 });
    await expectError(
      small.instantQuery(head, 'http_requests_total', 600_000),
      'too_many_samples',
      /too many samples/,
    );
  });

  it('stops on timeout and on cancellation', async () => {
    const head = await counters();
    const slow = new Engine({ parse: parseExpr, timeoutMs: -1 });
    await expectError(slow.rangeQuery(head, 'http_requests_total', 0, 600_000, 1000), 'timeout', /timed out/);
    const ac = new AbortController();
    ac.abort();
    await expectError(engine.instantQuery(head, 'http_requests_total', 0, { signal: ac.signal }), 'canceled');
  });

  it('rejects many-to-many matching with an execution error', async () => {
    const head = await headWith([
      [labelsFromRecord({ __name__: 'a', x: '1' }), [[0, 1]]],
      [labelsFromRecord({ __name__: 'b', x: '1', y: '1' }), [[0, 1]]],
      [labelsFromRecord({ __name__: 'b', x: '1', y: '2' }), [[0, 1]]],
    ]);
    await expectError(
      engine.instantQuery(head, 'a + on(x) b', 0),
      'execution',
      /many-to-many matching not allowed/,
    );
  });

  it('topk/bottomk rank within groups, largest first, NaN last, ties in input order', async () => {
    const g = (grp: string, i: string) => labelsFromRecord({ __name__: 'm', g: grp, i });
    const head = await headWith([
      [g('a', '1'), [[0, 3]]],
      [g('a', '2'), [[0, Number.NaN]]],
      [g('a', '3'), [[0, 5]]],
      [g('a', '4'), [[0, 3]]],
      [g('b', '1'), [[0, 1]]],
    ]);
    const values = async (q: string) => {
      const r = await engine.instantQuery(head, q, 0);
      return r.value.resultType === 'vector'
        ? r.value.result.map((s) => `${s.metric.find((l) => l.name === 'i')?.value}:${s.v}`)
        : [];
    };
    assert.deepEqual(await values('topk by (g) (2, m)'), ['3:5', '1:3', '1:1']);
    assert.deepEqual(await values('bottomk by (g) (3, m)'), ['1:3', '4:3', '3:5', '1:1']);
    assert.deepEqual(await values('topk(10, m{g="a"})'), ['3:5', '1:3', '4:3', '2:NaN']);
    assert.deepEqual(await values('topk(0, m)'), []);
  });

  it('aggregates with by/without: quantile, count_values, stddev, avg, group', async () => {
    const m = (job: string, i: string) => labelsFromRecord({ __name__: 'm', job, i });
    const head = await headWith([
      [m('a', '1'), [[0, 1]]],
      [m('a', '2'), [[0, 2]]],
      [m('a', '3'), [[0, 4]]],
      [m('b', '1'), [[0, 2]]],
    ]);
    const q = async (expr: string) => {
      const r = await engine.instantQuery(head, expr, 0);
      if (r.value.resultType !== 'vector') return {};
      return Object.fromEntries(
        r.value.result.map((s) => [JSON.stringify(s.metric.map((l) => `${l.name}=${l.value}`)), s.v]),
      );
    };
    assert.deepEqual(await q('quantile by (job) (0.5, m)'), { '["job=a"]': 2, '["job=b"]': 2 });
    assert.deepEqual(await q('count_values("v", m)'), { '["v=1"]': 1, '["v=2"]': 2, '["v=4"]': 1 });
    assert.deepEqual(await q('avg without (i) (m)'), { '["job=a"]': 7 / 3, '["job=b"]': 2 });
    const v = await q('stdvar by (job) (m)');
    assert.ok(Math.abs(v['["job=a"]']! - 14 / 9) < 1e-12 && v['["job=b"]'] === 0);
    assert.deepEqual(await q('group by (__name__) (m)'), { '["__name__=m"]': 1 });
  });
});
