/** A small, varied data set for export/import tests: counters, gauges, a histogram, odd labels. */

import assert from 'node:assert/strict';
import { postJson } from '../support/server.js';

export const STEP_MS = 15_000;
export const POINTS = 240; // one hour at 15 s

/** The first timestamp of the seed: two hours ago, on a 15 s boundary. */
export function seedStart(now = Date.now()): number {
  return Math.floor((now - 2 * 3_600_000) / STEP_MS) * STEP_MS;
}

/** Pushes the seed in time order, in a few requests; returns the number of samples. */
export async function seed(url: string, start: number): Promise<number> {
  let samples = 0;
  const odd = 'a "quoted", comma\\back\nline';
  for (let from = 0; from < POINTS; from += 60) {
    const metrics: unknown[] = [];
    for (let i = from; i < from + 60; i++) {
      const timestamp = start + i * STEP_MS;
      for (const route of ['/a', '/b']) {
        metrics.push({
          name: 'req_total',
          type: 'counter',
          value: i * (route === '/a' ? 3 : 1),
          labels: { service: 'shop', route },
          timestamp,
          help: 'Requests',
        });
      }
      metrics.push({
        name: 'temp_celsius',
        type: 'gauge',
        value: 20 + Math.sin(i / 10) * 3.25,
        labels: { service: 'shop', odd },
        timestamp,
      });
      metrics.push({
        name: 'queue_depth',
        type: 'gauge',
        value: i % 7 === 0 ? 'NaN' : i % 11,
        labels: { service: 'jobs' },
        timestamp,
      });
      let cum = 0;
      for (const le of ['0.1', '0.5', '+Inf']) {
        cum += i % 5;
        metrics.push({
          name: 'lat_seconds_bucket',
          type: 'histogram',
          value: cum * (i + 1),
          labels: { service: 'shop', le },
          timestamp,
        });
      }
      metrics.push({
        name: 'lat_seconds_sum',
        type: 'histogram',
        value: i * 0.37,
        labels: { service: 'shop' },
        timestamp,
      });
      metrics.push({
        name: 'lat_seconds_count',
        type: 'histogram',
        value: cum * (i + 1),
        labels: { service: 'shop' },
        timestamp,
      });
    }
    const res = await postJson(`${url}/v1/ingest`, { metrics });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    samples += metrics.length;
  }
  return samples;
}

/** A range query's answer, for comparing two servers. */
export async function rangeAnswer(url: string, query: string, start: number, end: number): Promise<unknown> {
  const q = new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: '60' });
  const res = await fetch(`${url}/api/v1/query_range?${q}`);
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string> }[] };
  };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result.sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
}

export const QUERIES = [
  'rate(req_total[5m])',
  'temp_celsius',
  'queue_depth',
  'histogram_quantile(0.9, rate(lat_seconds_bucket[5m]))',
  'sum by (service) (lat_seconds_count)',
];
