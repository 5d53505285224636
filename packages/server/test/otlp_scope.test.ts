/**
 * The instrumentation scope over real OTLP/HTTP from the OpenTelemetry JS SDK 2.x exporters:
 * by default every series carries `otel_scope_name` (and version and schema URL where the meter
 * has them), so two libraries' metrics of the same name stay apart; with
 * `--otlp-promote-scope-metadata false` the series are Prometheus' default mapping, without them.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OTLPMetricExporter as OtlpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { startTestServer, type TestServer } from './support/server.js';

interface Vector {
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

const SCHEMA = 'https://opentelemetry.io/schemas/1.26.0';

/** Pushes `jobs.done` from two meters (libraries) of one service through the real exporter. */
async function push(server: TestServer, format: 'protobuf' | 'json', service: string): Promise<void> {
  const Exporter = format === 'protobuf' ? OtlpProtoExporter : OtlpJsonExporter;
  const exporter = new Exporter({ url: `${server.url}/v1/metrics` });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, region: 'eu' }),
    readers: [reader],
  });
  provider
    .getMeter('lib-a', '1.0.0', { schemaUrl: SCHEMA })
    .createCounter('jobs.done')
    .add(2, { queue: 'q' });
  provider.getMeter('lib-b').createCounter('jobs.done').add(5, { queue: 'q' });
  await provider.forceFlush();
  await provider.shutdown();
}

async function query(server: TestServer, q: string): Promise<Vector['data']['result']> {
  const r = await fetch(`${server.url}/api/v1/query?query=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200);
  return ((await r.json()) as Vector).data.result;
}

describe('OTLP instrumentation scope labels', () => {
  let promoted: TestServer;
  let plain: TestServer;
  before(async () => {
    promoted = await startTestServer();
    plain = await startTestServer({ otlpPromoteScopeMetadata: false });
  });
  after(async () => {
    await promoted.stop();
    await plain.stop();
  });

  for (const format of ['protobuf', 'json'] as const) {
    it(`${format}: by default each meter's series carry its scope`, async () => {
      const job = `scope-${format}`;
      await push(promoted, format, job);
      const series = await query(promoted, `jobs_done_total{job="${job}"}`);
      const byScope = new Map(series.map((s) => [s.metric.otel_scope_name, s]));
      assert.equal(series.length, 2);
      const a = byScope.get('lib-a');
      assert.equal(a?.metric.otel_scope_version, '1.0.0');
      assert.equal(a?.metric.otel_scope_schema_url, SCHEMA);
      assert.equal(a?.value[1], '2');
      const b = byScope.get('lib-b');
      assert.equal(b?.value[1], '5');
      assert.equal(b?.metric.otel_scope_version, undefined, 'no version: no label');
      // target_info describes the resource, which has no scope.
      const info = await query(promoted, `target_info{job="${job}"}`);
      assert.equal(info.length, 1);
      assert.equal(info[0]!.metric.otel_scope_name, undefined);
    });

    it(`${format}: --otlp-promote-scope-metadata false leaves the scope out`, async () => {
      const job = `plain-${format}`;
      await push(plain, format, job);
      const series = await query(plain, `{job="${job}"}`);
      assert.ok(series.length >= 2, JSON.stringify(series));
      for (const s of series) {
        assert.deepEqual(
          Object.keys(s.metric).filter((k) => k.startsWith('otel_scope')),
          [],
          JSON.stringify(s.metric),
        );
      }
      assert.equal((await query(plain, `jobs_done_total{job="${job}"}`)).length, 1);
    });
  }
});
