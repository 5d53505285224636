import { readdir, readFile } from 'node:fs/promises';
import type { TinyObs } from '../client.js';

/**
 * process_* metrics with prom-client's names: CPU time (counters), start time, memory, file
 * descriptors. The Linux-only ones read /proc like prom-client does and are left out elsewhere.
 */
export function processMetrics(obs: TinyObs): () => Promise<void> {
  const user = obs.counter({
    name: 'process_cpu_user_seconds_total',
    help: 'User CPU time spent in seconds',
    unit: 'seconds',
  });
  const system = obs.counter({
    name: 'process_cpu_system_seconds_total',
    help: 'System CPU time spent in seconds',
    unit: 'seconds',
  });
  const total = obs.counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds',
    unit: 'seconds',
  });
  obs
    .gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds',
      unit: 'seconds',
    })
    .set(Math.round(Date.now() / 1000 - process.uptime()));
  const rss = obs.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes',
    unit: 'bytes',
  });
  const linux = process.platform === 'linux';
  const virt = linux
    ? obs.gauge({ name: 'process_virtual_memory_bytes', help: 'Virtual memory size in bytes', unit: 'bytes' })
    : undefined;
  const heap = linux
    ? obs.gauge({ name: 'process_heap_bytes', help: 'Process heap size in bytes', unit: 'bytes' })
    : undefined;
  const openFds = linux
    ? obs.gauge({ name: 'process_open_fds', help: 'Number of open file descriptors' })
    : undefined;
  const maxFds = linux
    ? obs.gauge({ name: 'process_max_fds', help: 'Maximum number of open file descriptors' })
    : undefined;
  let maxFdsRead = false;
  // cpuUsage() is cumulative since the process started; counters take the difference, so the
  // pushed value is the process total, like prom-client's.
  let last = { user: 0, system: 0 };

  return async () => {
    const now = process.cpuUsage();
    const du = (now.user - last.user) / 1e6;
    const ds = (now.system - last.system) / 1e6;
    last = now;
    user.add(du);
    system.add(ds);
    total.add(du + ds);
    rss.set(process.memoryUsage.rss());
    if (!linux) return;
    try {
      const status = await readFile('/proc/self/status', 'utf8');
      const kb = (key: string) => {
        const m = new RegExp(`^${key}:\\s*(\\d+) kB`, 'm').exec(status);
        return m === null ? undefined : Number(m[1]) * 1024;
      };
      const vmSize = kb('VmSize');
      const vmData = kb('VmData');
      if (vmSize !== undefined) virt?.set(vmSize);
      if (vmData !== undefined) heap?.set(vmData);
      // One entry is the descriptor readdir itself opened.
      openFds?.set((await readdir('/proc/self/fd')).length - 1);
      if (!maxFdsRead) {
        maxFdsRead = true;
        const limits = await readFile('/proc/self/limits', 'utf8');
        const m = /^Max open files\s+(\d+)/m.exec(limits);
        if (m !== null) maxFds?.set(Number(m[1]));
      }
    } catch {
      // /proc may be unreadable in a sandbox; these gauges then keep their last values.
    }
  };
}
