/**
 * An export of 10 million samples runs in bounded memory: the data directory is written with the
 * storage engine in this process (fast), then the real `tinyobs` binary serves it and this test
 * streams `GET /v1/export` through, counting every sample, while it samples the server's RSS.
 * The server's peak RSS (`VmHWM`) must not grow more than {@link MAX_GROWTH_MB} over its RSS
 * before the export: about 200 MB of JSON lines go through, so an export that held its output
 * (or the samples of all series as numbers: 160 MB) in memory would fail. It grew about 90 MB here.
 */

import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { labelsFromRecord } from '../../src/model/labels.js';
import { DB } from '../../src/tsdb/db.js';
import { spawnServer, tempDir } from '../support/server.js';

const SERIES = 10_000;
const POINTS = 1_000;
const STEP_MS = 10_000;
const MAX_GROWTH_MB = 200;

/** A value of `/proc/<pid>/status` in MB (VmRSS: now, VmHWM: the peak so far). */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no ${field} for ${pid}`);
  return Number(m[1]) / 1024;
}

/** Writes SERIES × POINTS samples ending now, persisted (so the server replays no log). */
async function fill(dir: string, start: number): Promise<void> {
  const db = await DB.open({ dir, warn: () => {} });
  try {
    const labels = Array.from({ length: SERIES }, (_, s) =>
      labelsFromRecord({ __name__: `mem_export_${s % 10}`, instance: `host-${s}`, job: 'export' }),
    );
    const refs = new Array<number>(SERIES).fill(0);
    for (let i = 0; i < POINTS; i += 10) {
      const app = db.appender();
      for (let k = i; k < i + 10; k++) {
        const t = start + k * STEP_MS;
        for (let s = 0; s < SERIES; s++) refs[s] = app.append(refs[s]!, labels[s]!, t, s + k * 0.5);
      }
      await app.commit();
    }
    db.persist();
  } finally {
    await db.close();
  }
}

describe('export memory', () => {
  it(`exports ${(SERIES * POINTS) / 1e6} M samples with the server's RSS bounded`, async () => {
    if (process.platform !== 'linux') return; // reads /proc
    const dir = tempDir('tinyobs-export-mem-');
    const start = Math.floor((Date.now() - POINTS * STEP_MS) / STEP_MS) * STEP_MS;
    let t0 = performance.now();
    await fill(dir, start);
    const fillSec = (performance.now() - t0) / 1000;
    const srv = await spawnServer(['--data-dir', dir, '--persist-interval', '0s']);
    try {
      const pid = srv.child.pid!;
      const baseline = procMb(pid, 'VmRSS');
      const hwmBefore = procMb(pid, 'VmHWM');
      let highest = baseline;
      const poll = setInterval(() => {
        highest = Math.max(highest, procMb(pid, 'VmRSS'));
      }, 100);
      t0 = performance.now();
      let samples = 0;
      let bytes = 0;
      try {
        const res = await fetch(`${srv.url}/v1/export?format=jsonl&start=0`);
        assert.equal(res.status, 200);
        let rest = '';
        const decoder = new TextDecoder();
        for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
          bytes += chunk.length;
          const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
          rest = lines.pop()!;
          for (const line of lines)
            if (line !== '') samples += (JSON.parse(line) as { values: unknown[] }).values.length;
        }
        if (rest !== '') samples += (JSON.parse(rest) as { values: unknown[] }).values.length;
      } finally {
        clearInterval(poll);
      }
      const exportSec = (performance.now() - t0) / 1000;
      const peak = Math.max(highest, procMb(pid, 'VmHWM'));
      const report = {
        samples,
        megabytes_exported: Math.round(bytes / 1e6),
        fill_s: +fillSec.toFixed(1),
        export_s: +exportSec.toFixed(1),
        export_sps: Math.round(samples / exportSec),
        rss_before_mb: Math.round(baseline),
        peak_rss_before_mb: Math.round(hwmBefore),
        peak_rss_during_mb: Math.round(peak),
        growth_mb: Math.round(peak - baseline),
      };
      process.stderr.write(`export memory: ${JSON.stringify(report)}\n`);
      assert.equal(samples, SERIES * POINTS);
      assert.ok(
        peak - baseline < MAX_GROWTH_MB,
        `the server's RSS grew by ${Math.round(peak - baseline)} MB during the export (bound ${MAX_GROWTH_MB})`,
      );
    } finally {
      srv.child.kill('SIGTERM');
      await srv.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
