/** A real VictoriaMetrics for forwarding tests: started on 127.0.0.1, restartable on the same port and data. */

import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from '../support/ports.js';

export interface Vm {
  readonly url: string;
  readonly writeUrl: string;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Every raw sample of the series matching `match`, after a flush: `labels → [t, v][]` sorted by time. */
  export(match: string): Promise<Map<string, [number, number][]>>;
}

export async function startVm(bin: string, dir: string, port: number): Promise<Vm> {
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const vm: Vm = {
    url,
    writeUrl: `${url}/api/v1/write`,
    async start() {
      const c = spawn(
        bin,
        [`-storageDataPath=${dir}`, `-httpListenAddr=127.0.0.1:${port}`, '-loggerLevel=ERROR'],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      child = c;
      exited = new Promise((resolve) => c.once('exit', () => resolve()));
      await waitFor('victoria-metrics to answer /health', async () =>
        (await fetch(`${url}/health`)).ok ? true : undefined,
      );
    },
    async stop() {
      child?.kill('SIGTERM');
      await exited;
      child = null;
    },
    async export(match) {
      await fetch(`${url}/internal/force_flush`);
      const res = await fetch(`${url}/api/v1/export?match[]=${encodeURIComponent(match)}`);
      if (!res.ok) throw new Error(`export: ${res.status} ${await res.text()}`);
      return parseJsonl(await res.text());
    },
  };
  await vm.start();
  return vm;
}

/** VictoriaMetrics' export JSON lines (TinyObs' `format=jsonl` too) as `series key → [t, v][]`. */
export function parseJsonl(text: string): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const r = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
    const key = seriesKey(r.metric);
    const pts = out.get(key) ?? [];
    for (let i = 0; i < r.timestamps.length; i++) pts.push([r.timestamps[i]!, r.values[i]!]);
    out.set(key, pts);
  }
  for (const pts of out.values()) pts.sort((a, b) => a[0] - b[0]);
  return out;
}

/** `name{a="1",b="2"}` with labels sorted, for comparing series across systems. */
export function seriesKey(labels: Record<string, string>): string {
  const { __name__: name, ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`)
    .join(',');
  return `${name}{${inner}}`;
}
