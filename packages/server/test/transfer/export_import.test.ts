import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TRANSFER_FORMATS } from '../../src/transfer/formats.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { POINTS, QUERIES, rangeAnswer, STEP_MS, seed, seedStart } from './seed.js';

async function exportText(
  url: string,
  format: string,
  extra = '',
): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(`${url}/v1/export?format=${format}${extra}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function importText(
  url: string,
  format: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${url}/v1/import?format=${format}`, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('export and import', () => {
  let source: TestServer;
  let start = 0;
  let samples = 0;
  before(async () => {
    source = await startTestServer();
    start = seedStart();
    samples = await seed(source.url, start);
  });
  after(() => source.stop());
  const end = () => start + POINTS * STEP_MS;

  for (const format of TRANSFER_FORMATS) {
    it(`${format}: an export imported into a fresh server answers every query the same`, async () => {
      const out = await exportText(source.url, format);
      assert.equal(out.status, 200);
      const target = await startTestServer();
      try {
        const imported = await importText(target.url, format, gzipSync(out.text), {
          'content-encoding': 'gzip',
        });
        assert.equal(imported.status, 200, JSON.stringify(imported.json));
        assert.equal(imported.json.metrics_imported, samples);
        assert.deepEqual(imported.json.errors, []);
        for (const q of QUERIES) {
          assert.deepEqual(
            await rangeAnswer(target.url, q, start, end()),
            await rangeAnswer(source.url, q, start, end()),
            q,
          );
        }
        // The metadata came along where the format carries it.
        if (format === 'json' || format === 'openmetrics') {
          const meta = (await (await fetch(`${target.url}/api/v1/metadata`)).json()) as {
            data: Record<string, { type: string }[]>;
          };
          assert.equal(meta.data.req_total?.[0]?.type, 'counter');
          assert.equal(meta.data.lat_seconds?.[0]?.type, 'histogram');
        }
      } finally {
        await target.stop();
      }
    });
  }

  it('json is the original TinyObs export document', async () => {
    const out = await exportText(source.url, 'json', `&start=${start / 1000}&end=${end() / 1000}`);
    assert.match(out.type, /application\/json/);
    const doc = JSON.parse(out.text) as {
      metadata: Record<string, unknown>;
      metrics: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(doc.metadata).sort(), [
      'end_time',
      'exported_at',
      'format',
      'metric_count',
      'start_time',
      'version',
    ]);
    assert.equal(doc.metadata.metric_count, samples);
    assert.equal(doc.metrics.length, samples);
    assert.equal(doc.metadata.start_time, new Date(start).toISOString());
    const first = doc.metrics.find((m) => m.name === 'req_total');
    assert.deepEqual(Object.keys(first!).sort(), ['labels', 'name', 'timestamp', 'type', 'value']);
  });

  it('jsonl is VictoriaMetrics export lines; match[], start and end select', async () => {
    const from = start + 10 * STEP_MS;
    const to = start + 19 * STEP_MS;
    const out = await exportText(
      source.url,
      'jsonl',
      `&match[]=${encodeURIComponent('req_total{route="/a"}')}&start=${from / 1000}&end=${to / 1000}`,
    );
    const lines = out.text
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] },
      );
    assert.equal(lines.length, 1);
    assert.deepEqual(lines[0]!.metric, { __name__: 'req_total', route: '/a', service: 'shop' });
    assert.deepEqual(
      lines[0]!.timestamps,
      Array.from({ length: 10 }, (_, i) => from + i * STEP_MS),
    );
    assert.deepEqual(
      lines[0]!.values,
      Array.from({ length: 10 }, (_, i) => (10 + i) * 3),
    );
  });

  it('openmetrics groups each family under its TYPE and ends with # EOF', async () => {
    const out = await exportText(source.url, 'openmetrics');
    const lines = out.text.trim().split('\n');
    assert.equal(lines.at(-1), '# EOF');
    assert.ok(lines.includes('# TYPE lat_seconds histogram'));
    assert.ok(lines.includes('# TYPE req_total counter') === false && lines.includes('# TYPE req counter'));
    const types = lines.filter((l) => l.startsWith('# TYPE '));
    assert.equal(new Set(types).size, types.length, 'a family appears once');
  });

  it('a malformed record is reported with its line and its neighbours are kept', async () => {
    const target = await startTestServer();
    try {
      const t0 = start + 100 * STEP_MS;
      const good = (i: number) =>
        JSON.stringify({ metric: { __name__: 'm', i: String(i) }, values: [i], timestamps: [t0] });
      const body = [
        good(1),
        '{"metric": oops',
        good(2),
        JSON.stringify({ metric: { __name__: 'bad name!' }, values: [1], timestamps: [t0] }),
        good(3),
      ].join('\n');
      const res = await importText(target.url, 'jsonl', body);
      assert.equal(res.status, 400);
      assert.equal(res.json.metrics_imported, 3);
      const errors = res.json.errors as { line: number; message: string }[];
      assert.deepEqual(
        errors.map((e) => e.line),
        [2, 4],
      );
      assert.match(errors[0]!.message, /invalid JSON/);
      assert.match(errors[1]!.message, /not a valid metric name/);
      assert.match(String(res.json.message), /2 records rejected \(3 samples imported\); first: line 2/);

      const csv = [
        'series,timestamp_ms,value',
        `c{a="1"},${t0},1`,
        `c{a="2",${t0},2`,
        `c{a="3"},${t0},x`,
        `c{a="4"},${t0},4`,
      ].join('\n');
      const r2 = await importText(target.url, 'csv', csv);
      assert.equal(r2.status, 400);
      assert.equal(r2.json.metrics_imported, 2);
      assert.deepEqual(
        (r2.json.errors as { line: number }[]).map((e) => e.line),
        [3, 4],
      );

      const json = `{"metrics":[\n${JSON.stringify({ name: 'j', value: 1, timestamp: t0 })},\n{"name": "j", "value": },\n${JSON.stringify({ name: 'j', labels: { k: 'v' }, value: 2, timestamp: t0 })}\n]}`;
      const r3 = await importText(target.url, 'json', json);
      assert.equal(r3.status, 400);
      assert.equal(r3.json.metrics_imported, 2);
      assert.deepEqual(
        (r3.json.errors as { line: number }[]).map((e) => e.line),
        [3],
      );

      const q = await fetch(
        `${target.url}/api/v1/query?query=count(m)%20%2B%20count(c)%20%2B%20count(j)&time=${t0 / 1000}`,
      );
      const v = (await q.json()) as { data: { result: { value: [number, string] }[] } };
      assert.equal(v.data.result[0]?.value[1], '7');
    } finally {
      await target.stop();
    }
  });

  it('refuses an unknown format and a corrupt gzip body with 400', async () => {
    const r1 = await fetch(`${source.url}/v1/export?format=xml`);
    assert.equal(r1.status, 400);
    assert.match(await r1.text(), /invalid format \\"xml\\": must be one of json, jsonl, csv, openmetrics/);
    const r2 = await importText(source.url, 'jsonl', Buffer.from('not gzip at all'), {
      'content-encoding': 'gzip',
    });
    assert.equal(r2.status, 400);
    assert.match(String(r2.json.message), /cannot decompress body/);
  });

  it('GET /v1/query returns raw samples of a selector', async () => {
    const from = start + 5 * STEP_MS;
    const to = start + 7 * STEP_MS;
    const res = await fetch(
      `${source.url}/v1/query?metric=${encodeURIComponent('queue_depth')}&start=${from / 1000}&end=${to / 1000}`,
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      data: { metric: string; labels: Record<string, string>; points: { t: number; v: number | string }[] }[];
      count: number;
    };
    assert.equal(body.count, 3);
    assert.deepEqual(body.data, [
      {
        metric: 'queue_depth',
        labels: { service: 'jobs' },
        points: [
          { t: from, v: 5 },
          { t: from + STEP_MS, v: 6 },
          { t: to, v: 'NaN' },
        ],
      },
    ]);
    const missing = await fetch(`${source.url}/v1/query`);
    assert.equal(missing.status, 400);
  });
});
