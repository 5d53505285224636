import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../test/support/prng.js';
import { labelsKey } from '../../model/labels.js';
import type { SampleBatch } from '../batch.js';
import { IngestError } from '../errors.js';
import { DEFAULT_INGEST_LIMITS } from '../limits.js';
import { parseJsonIngest } from './parse.js';
import { scanJsonIngest } from './scan.js';
import { SeriesCache } from './series_cache.js';
import { parseRfc3339, parseRfc3339Bytes } from './timestamp.js';

const NOW = 1_750_000_000_000;
const LIMITS = { ...DEFAULT_INGEST_LIMITS, maxSamplesPerRequest: 40, maxHelpLength: 20 };

/** What a batch holds, independent of series numbering. */
function contents(b: SampleBatch) {
  const samples: string[] = [];
  const bits = new Float64Array(1);
  const view = new BigUint64Array(bits.buffer);
  for (let i = 0; i < b.length; i++) {
    bits[0] = b.valueOf(i);
    samples.push(`${labelsKey(b.labelsOf(b.seriesOf(i)))} ${b.timeOf(i)} ${view[0]}`);
  }
  return { total: b.total, issues: b.issues, samples, metadata: [...b.metadata].sort() };
}

/** Result of the reference parser, or the error it throws. */
function reference(text: string) {
  try {
    return contents(parseJsonIngest(text, LIMITS, NOW));
  } catch (err) {
    assert.ok(err instanceof IngestError, String(err));
    return `error: ${err.message}`;
  }
}

const NAMES = ['m_total', 'lat_bucket', 'lat_sum', 'x', '', '1bad', 'a{', 'ü'];
const TYPES = ['counter', 'gauge', 'histogram', 'summary', '', undefined];
const VALUES = [
  1,
  0,
  -0,
  0.1,
  1.5e-7,
  123456789012345,
  'NaN',
  '+Inf',
  '-Inf',
  'Inf',
  'x',
  'valueOf',
  null,
  true,
];
const SCANNED_VALUES = VALUES.filter((v) => typeof v === 'number' || typeof v === 'string');
const TIMES = [
  undefined,
  0,
  NOW - 1000,
  NOW - 1000.7,
  8.64e15,
  '2025-06-15T12:00:00Z',
  '2025-06-15T12:00:00.123456789+02:00',
  '0001-01-01T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-12-31T23:59:60Z',
  'yesterday',
];
const LABELS = [
  undefined,
  {},
  { service: 'a' },
  { service: 'a', le: '0.5' },
  { le: '1.0', service: 'a' },
  { le: '+inf' },
  { service: 'a', service2: '' },
  { __x: 'y' },
  { 'bad-name': 'v' },
  { __proto__: 'p' },
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function point(r: () => number): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  if (r() < 0.97) p.name = pick(r, NAMES);
  const type = pick(r, TYPES);
  if (type !== undefined) p.type = type;
  p.value = pick(r, VALUES);
  const labels = pick(r, LABELS);
  if (labels !== undefined) p.labels = labels;
  // Escapes send the whole request to the reference parser: rare, as in real traffic.
  if (r() < 0.01) p.labels = { k: pick(r, ['é\u0007', 'quote"and\\back']) };
  if (r() < 0.01) p.name = 'a{"k":"v"}';
  const ts = pick(r, TIMES);
  if (ts !== undefined) p.timestamp = ts;
  if (r() < 0.1) p.help = r() < 0.5 ? 'Help.' : 'h'.repeat(30);
  if (r() < 0.05) p.unit = 'seconds';
  if (r() < 0.02) p.extra = 1;
  // Values of the wrong kind also take the reference parser.
  if (r() < 0.02)
    p[pick(r, ['name', 'type', 'value', 'labels', 'timestamp'])] = pick(r, [null, true, 5, [1], { k: 5 }]);
  return p;
}

/** JSON text with varied spacing, as different clients write it. */
function render(r: () => number, body: unknown): string {
  const text = JSON.stringify(body, null, r() < 0.2 ? 1 : undefined);
  return r() < 0.05 ? ` ${text}\n` : text;
}

describe('the fast JSON scanner', () => {
  it('gives exactly what the reference parser gives, on random requests, with a cache carried across them', () => {
    const r = mulberry32(11);
    const cache = new SeriesCache(50);
    let fast = 0;
    for (let n = 0; n < 3000; n++) {
      const points = Array.from({ length: Math.floor(r() * 12) }, () => point(r));
      // Repeats of a point (same series and time, maybe another value) exercise "last point wins".
      if (points.length > 0 && r() < 0.3) points.push({ ...points[0]!, value: 7 });
      // Most bodies say their histograms are cumulative, as @tinyobs/sdk does (the Go SDK's delta
      // histograms always take the reference parser).
      const body =
        r() < 0.03
          ? { metrics: points, other: 1 }
          : r() < 0.02
            ? points
            : r() < 0.8
              ? { temporality: 'cumulative', metrics: points }
              : { metrics: points };
      let text = render(r, body);
      if (r() < 0.02) text = text.slice(0, Math.floor(r() * text.length));
      if (r() < 0.03) text = text.replace(/"value":(-?[0-9.e+]+)/, '"value":$1e2');
      if (r() < 0.03) text = text.replace(/"value":(-?[0-9.e+]+)/, '"value":1234567890123456789');
      if (r() < 0.03) text = text.replace(/"timestamp":(-?[0-9.e+]+)/, '"timestamp":1e400');
      if (r() < 0.03)
        text = `{"metrics":[${Array.from({ length: 41 }, () => '{"name":"a","value":1}').join(',')}]}`;
      const scanned = scanJsonIngest(Buffer.from(text), LIMITS, NOW, cache);
      const want = reference(text);
      if (scanned === null) continue;
      fast++;
      assert.deepEqual(contents(scanned.batch), want, text);
      // As if committed: every series gets a ref.
      const { refs } = scanned.batch;
      for (let i = 0; i < scanned.batch.seriesCount; i++) refs[i] = refs[i] || i + 1;
      scanned.rememberRefs();
    }
    assert.ok(fast > 900, `only ${fast} requests took the fast path`);
  });

  it('matches the points of series sent in a stable order by template, exactly as the reference parser', () => {
    const r = mulberry32(5);
    const cache = new SeriesCache(50);
    // A client's series: mostly valid, some not, a few histograms, some with help and unit.
    const series = Array.from({ length: 30 }, (_, k) => {
      // Mostly valid names, as from an SDK.
      const p: Record<string, unknown> = { name: r() < 0.8 ? `m${Math.floor(r() * 5)}` : pick(r, NAMES) };
      const type = r() < 0.1 ? 'histogram' : r() < 0.8 ? pick(r, ['counter', 'gauge']) : pick(r, TYPES);
      if (type !== undefined) p.type = type;
      // One spelling per series (two series of one spelling and another type conflict).
      p.labels =
        r() < 0.8 ? { service: pick(r, ['a', 'b']), k: String(k) } : { ...pick(r, LABELS), k: String(k) };
      if (type === 'histogram') {
        p.name = pick(r, ['lat_bucket', 'lat_sum', 'lat_count']);
        if (p.name === 'lat_bucket') p.labels = { le: pick(r, ['0.5', '+Inf']), k: String(k) };
      }
      if (r() < 0.2) p.help = r() < 0.5 ? 'Help.' : 'h'.repeat(30);
      if (r() < 0.1) p.unit = 'seconds';
      return p;
    });
    let order = series.map((_, i) => i);
    let templated = 0;
    let points = 0;
    for (let n = 0; n < 1500; n++) {
      // Mostly the same order; sometimes another order, a series dropped or a new one.
      if (r() < 0.05) order = order.sort(() => r() - 0.5);
      if (r() < 0.05) order = order.filter((_, i) => i !== Math.floor(r() * order.length));
      if (r() < 0.05) order.push(Math.floor(r() * series.length));
      const body = order.map((i) => {
        // (No null or boolean values: those send the whole body to the reference parser.)
        const value = r() < 0.8 ? Math.round(r() * 1e4) / 100 : pick(r, SCANNED_VALUES);
        const p: Record<string, unknown> = { ...series[i]!, value };
        // Mostly a time of the client's kind (RFC 3339 or milliseconds), sometimes anything.
        const ts = r() < 0.1 ? pick(r, TIMES) : i % 2 ? NOW - n : new Date(NOW - n).toISOString();
        if (ts !== undefined) p.timestamp = ts;
        // Another field order, or another help text, for the same series.
        if (r() < 0.03) return Object.fromEntries(Object.entries(p).reverse());
        if (r() < 0.03) p.help = 'Other help.';
        return p;
      });
      const cumulative = r() < 0.9;
      let text = JSON.stringify(
        cumulative ? { temporality: 'cumulative', metrics: body } : { metrics: body },
      );
      // A body cut short: a template must not read past its end.
      if (r() < 0.03) text = text.slice(0, text.length - 1 - Math.floor(r() * 200));
      const big = { ...LIMITS, maxSamplesPerRequest: 1000 };
      const scanned = scanJsonIngest(Buffer.from(text), big, NOW, cache);
      let want: ReturnType<typeof contents> | string;
      try {
        want = contents(parseJsonIngest(text, big, NOW));
      } catch (err) {
        want = `error: ${(err as Error).message}`;
      }
      // The Go SDK's delta histograms need the reference parser's running totals.
      if (!cumulative && body.some((p) => p.type === 'histogram')) assert.equal(scanned, null, text);
      if (scanned === null) continue;
      assert.deepEqual(contents(scanned.batch), want, text);
      templated += scanned.templated;
      points += body.length;
      const { refs } = scanned.batch;
      for (let i = 0; i < scanned.batch.seriesCount; i++) refs[i] = refs[i] || i + 1;
      scanned.rememberRefs();
    }
    // The noise above breaks a chain now and then; what matters is that both paths were compared.
    assert.ok(templated > points / 5, `only ${templated} of ${points} points matched a template`);
  });

  it('matches every point after the first by template when a client repeats its series in order', () => {
    const cache = new SeriesCache();
    const body = (n: number, ts: (t: number) => unknown) =>
      JSON.stringify({
        metrics: ['a', 'b', 'c', 'd'].map((k, i) => ({
          name: 'req_total',
          type: 'counter',
          help: 'Requests.',
          labels: { route: k },
          value: n * 10 + i,
          timestamp: ts(NOW - 1000 * (5 - n)),
        })),
      });
    const millis = (t: number) => t;
    const rfc = (t: number) => new Date(t).toISOString();
    // The last two without a timestamp: a new shape (learnt again), then matched again.
    const kinds = [millis, rfc, millis, rfc, () => undefined, () => undefined];
    const templated = [0, 3, 3, 3, 0, 3];
    for (let n = 0; n < kinds.length; n++) {
      const text = body(n, kinds[n]!);
      const scanned = scanJsonIngest(Buffer.from(text), LIMITS, NOW, cache)!;
      assert.deepEqual(contents(scanned.batch), reference(text));
      assert.equal(scanned.templated, templated[n], `request ${n}`);
      for (let i = 0; i < scanned.batch.seriesCount; i++) scanned.batch.refs[i] = i + 1;
      scanned.rememberRefs();
    }
  });

  for (const field of ['help', 'unit'] as const) {
    it(`declares the metadata of a templated point again once another point changed its ${field}`, () => {
      const cache = new SeriesCache();
      const point = (route: string, text: string, value: number, t: number) => ({
        name: 'req_total',
        type: 'counter',
        [field]: text,
        labels: { route },
        value,
        timestamp: t,
      });
      // a declares one text, b another, a the first again, b the second again: the last point
      // of the request decides, whichever series it is.
      for (let n = 0; n < 3; n++) {
        const text = JSON.stringify({
          metrics: [
            point('z', 'First.', n, NOW),
            point('a', 'First.', n, NOW - 1),
            point('b', 'Second.', n, NOW - 1),
            point('a', 'First.', n, NOW),
            point('b', 'Second.', n, NOW),
          ],
        });
        const scanned = scanJsonIngest(Buffer.from(text), LIMITS, NOW, cache)!;
        assert.deepEqual(contents(scanned.batch), reference(text), `request ${n}`);
        assert.equal(scanned.batch.metadata.get('req_total')?.[field], 'Second.', `request ${n}`);
        // Every point but the first by template.
        if (n > 0) assert.equal(scanned.templated, 4, `request ${n}`);
      }
    });
  }

  it('reads every timestamp, when points repeat the previous token, extend it or change its kind', () => {
    const cache = new SeriesCache();
    const stamps: unknown[] = [
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.5Z',
      '2026-01-01T00:00:00.5Z',
      '2026-01-01T00:00:00Z',
      1767225600000,
      1767225600000,
      '1767225600000',
      17672256000001,
      1767225600,
      '0001-01-01T00:00:00Z',
      '0001-01-01T00:00:00Z',
    ];
    // First every series with a plain time (so that each has a template), then the list.
    for (let n = 0; n < 3; n++) {
      const text = JSON.stringify({
        metrics: stamps.map((timestamp, k) => ({
          name: 'm',
          type: 'gauge',
          value: k,
          labels: { k: String(k) },
          timestamp: n === 0 ? 1767225600000 - k : timestamp,
        })),
      });
      const scanned = scanJsonIngest(Buffer.from(text), LIMITS, NOW, cache)!;
      assert.deepEqual(contents(scanned.batch), reference(text), `request ${n}`);
      for (let i = 0; i < scanned.batch.seriesCount; i++) scanned.batch.refs[i] = i + 1;
      scanned.rememberRefs();
    }
  });

  it('leaves a timestamp with an escape to the reference parser, even with the length of the one before', () => {
    const cache = new SeriesCache();
    const point = (k: string, timestamp: string) =>
      `{"name":"m","type":"gauge","value":1,"labels":{"k":"${k}"},"timestamp":"${timestamp}"}`;
    const stamp = '2026-01-01T00:00:00.0000Z';
    // The same length as `stamp`; `\u003a` is ':', which the reference parser decodes.
    const withEscape = '2026-01-01T00:00\\u003a00Z';
    assert.equal(withEscape.length, stamp.length);
    const body = (last: string) =>
      `{"metrics":[${point('a', stamp)},${point('b', stamp)},${point('c', last)}]}`;
    // Every series gets a template; then b and c match by template (the first point of a body
    // has no series before it to guess from), c with the escape.
    const first = scanJsonIngest(Buffer.from(body(stamp)), LIMITS, NOW, cache)!;
    for (let i = 0; i < first.batch.seriesCount; i++) first.batch.refs[i] = i + 1;
    first.rememberRefs();
    assert.equal(scanJsonIngest(Buffer.from(body(stamp)), LIMITS, NOW, cache)!.templated, 2);
    assert.equal(scanJsonIngest(Buffer.from(body(withEscape)), LIMITS, NOW, cache), null);
    assert.deepEqual((reference(body(withEscape)) as { issues: unknown[] }).issues, []);
  });

  it("keeps the refs storage gave a request's series for the next request, from the first request on", () => {
    const cache = new SeriesCache();
    const body = (n: number) =>
      Buffer.from(
        JSON.stringify({
          metrics: Array.from({ length: n }, (_, k) => ({ name: 'm', value: k, labels: { k: String(k) } })),
        }),
      );
    // A first request of a fresh cache, then one with more series than the one before.
    for (const n of [3, 40]) {
      const first = scanJsonIngest(body(n), LIMITS, NOW, cache)!;
      for (let i = 0; i < first.batch.seriesCount; i++) first.batch.refs[i] ||= 100 + i;
      first.rememberRefs();
      const next = scanJsonIngest(body(n), LIMITS, NOW, cache)!;
      assert.deepEqual(
        [...next.batch.refs.subarray(0, next.batch.seriesCount)],
        Array.from({ length: n }, (_, i) => 100 + i),
        `${n} series`,
      );
    }
  });

  it('keeps one series for two spellings of it in one request (last point wins across them)', () => {
    const cache = new SeriesCache();
    const a = '{"name":"m","type":"gauge","value":1,"labels":{"a":"1","b":"2"},"timestamp":5}';
    const b = '{"name":"m","type":"gauge","value":2,"labels":{"b":"2","a":"1"},"timestamp":5}';
    for (const text of [`{"metrics":[${a}]}`, `{"metrics":[${b}]}`, `{"metrics":[${a},${b}]}`]) {
      const s = scanJsonIngest(Buffer.from(text), LIMITS, NOW, cache)!;
      assert.deepEqual(contents(s.batch), reference(text));
    }
    const both = scanJsonIngest(Buffer.from(`{"metrics":[${a},${b}]}`), LIMITS, NOW, cache)!;
    assert.equal(both.batch.length, 1);
    assert.equal(both.batch.valueOf(0), 2);
  });

  it('reads the labels of a new series as JSON.parse does: a name given twice keeps its last value', () => {
    const points = [
      '{"name":"m","value":1,"labels":{"a":"1","a":"2"}}',
      '{"name":"m","value":1,"labels":{"a":"1","b":"x","a":"3"}}',
      '{"name":"m","value":1,"labels":{"ab":"1","a":"2","b":"3"}}',
      '{"name":"m","value":1,"labels":{"2":"x","10":"y","__proto__":"p"}}',
      '{"name":"m_bucket","value":1,"labels":{"le":"1","le":"oops"},"type":"histogram"}',
    ];
    for (const p of points) {
      const text = `{"temporality":"cumulative","metrics":[${p}]}`;
      // A fresh cache: every point is a new series.
      const s = scanJsonIngest(Buffer.from(text), LIMITS, NOW, new SeriesCache());
      assert.ok(s !== null, text);
      assert.deepEqual(contents(s.batch), reference(text), text);
    }
  });

  it('parses RFC 3339 from bytes exactly as the reference does', () => {
    const r = mulberry32(3);
    const parts = () =>
      `${String(Math.floor(r() * 10_000)).padStart(4, '0')}-${String(Math.floor(r() * 14)).padStart(2, '0')}-${String(Math.floor(r() * 33)).padStart(2, '0')}` +
      `${pick(r, ['T', 't', ' ', 'x'])}${String(Math.floor(r() * 25)).padStart(2, '0')}:${String(Math.floor(r() * 61)).padStart(2, '0')}:${String(Math.floor(r() * 62)).padStart(2, '0')}` +
      `${pick(r, ['', '.1', '.123', '.123456789', '.1234567891', '.'])}${pick(r, ['Z', 'z', '+02:00', '-11:30', '+99:99', '', 'Z '])}`;
    for (let i = 0; i < 20_000; i++) {
      const text = parts();
      // Twice: the second time the date's day number comes from the parser's cache.
      assert.equal(parseRfc3339Bytes(Buffer.from(text), 0, text.length), parseRfc3339(text), text);
      assert.equal(parseRfc3339Bytes(Buffer.from(text), 0, text.length), parseRfc3339(text), text);
    }
  });
});
