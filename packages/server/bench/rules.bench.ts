/**
 * Rule evaluation speed against promtool in the same run: one `test-rules` file (100 × 2 series
 * at 1m for a day, two recording and two alerting rules evaluated every minute: 1 441 evaluations
 * of the group) run by `tinyobs test-rules` and by Debian's `promtool test rules`, each as its own
 * process. Prints one JSON line with the medians of wall time and of CPU time (user + system, from
 * the shell's `times`: on a shared machine the CPU time is the steadier figure) and their ratios.
 *
 *   npm run build && node --import tsx packages/server/bench/rules.bench.ts
 * Env: BENCH_RUNS (default 3).
 */

import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_BIN, tempDir } from '../test/support/server.js';
import { findBinary } from '../test/support/system.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SERIES = 100;

const rules = `groups:
  - name: bench
    rules:
      - record: job:requests:rate5m
        expr: sum by (job) (rate(requests_total[5m]))
      - record: instance:requests:rate5m
        expr: rate(requests_total[5m])
      - alert: Down
        expr: up == 0
        for: 5m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} of {{ $labels.job }} is down"}
      - alert: Busy
        expr: instance:requests:rate5m > 0.5
        for: 10m
        annotations: {summary: "{{ $value | humanize }} req/s"}
`;

function testFile(): string {
  const lines = [
    'rule_files: [rules.yml]',
    'evaluation_interval: 1m',
    'tests:',
    '  - interval: 1m',
    '    input_series:',
  ];
  for (let i = 0; i < SERIES; i++) {
    const job = `job${i % 10}`;
    lines.push(
      `      - series: 'requests_total{job="${job}", instance="i${i}"}'`,
      `        values: '0+${(i % 7) * 10}x1440'`,
    );
    lines.push(
      `      - series: 'up{job="${job}", instance="i${i}"}'`,
      `        values: '${i % 50 === 0 ? 0 : 1}x1440'`,
    );
  }
  lines.push(
    '    alert_rule_test:',
    '      - eval_time: 1d',
    '        alertname: Down',
    '        exp_alerts:',
  );
  for (let i = 0; i < SERIES; i += 50)
    lines.push(
      `          - exp_labels: {severity: page, job: job${i % 10}, instance: i${i}}`,
      `            exp_annotations: {summary: "i${i} of job${i % 10} is down"}`,
    );
  return `${lines.join('\n')}\n`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const seconds = (m: RegExpExecArray, i: number) => Number(m[i]) * 60 + Number(m[i + 1]);

/** Wall and CPU milliseconds of one run of the command (which must succeed). */
function time(cmd: string, args: string[], cwd: string): { wall: number; cpu: number } {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', '"$@" >/dev/null 2>&1 || exit 9; times', 'bench', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 600_000,
  });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  // `times` prints the shell's own times, then its children's: "0m8.503s 0m0.584s".
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout.trim());
  if (m === null) throw new Error(`cannot read the output of times: ${r.stdout}`);
  return { wall, cpu: (seconds(m, 1) + seconds(m, 3)) * 1000 };
}

const dir = tempDir('tinyobs-rules-bench-');
try {
  writeFileSync(join(dir, 'rules.yml'), rules);
  writeFileSync(join(dir, 'tests.yml'), testFile());
  const tiny: { wall: number; cpu: number }[] = [];
  const prom: { wall: number; cpu: number }[] = [];
  const med = (xs: { wall: number; cpu: number }[], k: 'wall' | 'cpu') => median(xs.map((x) => x[k]));
  const promtool = findBinary('promtool');
  for (let i = 0; i < RUNS; i++) {
    tiny.push(time(process.execPath, [SERVER_BIN, 'test-rules', 'tests.yml'], dir));
    if (promtool !== null) prom.push(time(promtool, ['test', 'rules', 'tests.yml'], dir));
  }
  const out: Record<string, unknown> = {
    bench: 'rules_test_file',
    series: SERIES * 2,
    evaluations: 1441,
    runs: RUNS,
    tinyobs_wall_ms: Math.round(med(tiny, 'wall')),
    tinyobs_cpu_ms: Math.round(med(tiny, 'cpu')),
  };
  if (promtool !== null) {
    out.promtool_wall_ms = Math.round(med(prom, 'wall'));
    out.promtool_cpu_ms = Math.round(med(prom, 'cpu'));
    out.wall_ratio_tinyobs_over_promtool = Number((med(tiny, 'wall') / med(prom, 'wall')).toFixed(2));
    out.cpu_ratio_tinyobs_over_promtool = Number((med(tiny, 'cpu') / med(prom, 'cpu')).toFixed(2));
  } else out.note = 'promtool not installed: no baseline';
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
