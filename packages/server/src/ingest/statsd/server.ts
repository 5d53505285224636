/**
 * The StatsD/DogStatsD UDP listener (`--statsd-port`, off by default): parses every datagram into
 * the aggregator and appends one batch per flush interval. UDP has no way to answer a sender, so
 * malformed lines are counted and logged (at most once per flush), never fatal.
 */

import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Appendable, Queryable } from '../../storage/types.js';
import { commitBatch } from '../commit.js';
import type { IngestLimits } from '../limits.js';
import type { IngestReporter } from '../report.js';
import { lastStoredIn } from '../series/stored.js';
import { StatsdAggregator } from './aggregate.js';
import { parseDatagram } from './parse.js';

export interface StatsdOptions {
  readonly host: string;
  readonly port: number;
  readonly flushIntervalMs: number;
  readonly limits: IngestLimits;
  readonly report: IngestReporter;
  readonly warn: (message: string) => void;
}

export interface StatsdServer {
  /** The UDP port actually bound (useful with port 0). */
  readonly port: number;
  /** Writes what is aggregated now (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops listening and writes the last flush. */
  close(): Promise<void>;
}

/**
 * Binds the UDP port and starts flushing into `store`; running totals continue from what `store`
 * holds (see {@link StatsdAggregator}).
 */
export async function startStatsd(store: Appendable & Queryable, o: StatsdOptions): Promise<StatsdServer> {
  const agg = new StatsdAggregator(o.limits, undefined, undefined, lastStoredIn(store));
  const appendable: Appendable = store;
  let invalid = 0;
  let firstProblem = '';
  const socket: Socket = createSocket({ type: o.host.includes(':') ? 'udp6' : 'udp4' });
  socket.on('message', (msg) => {
    const { lines, issues } = parseDatagram(msg.toString('utf8'));
    const now = Date.now();
    for (const l of lines) if (!agg.add(l, now)) invalid++;
    if (issues.length > 0) {
      invalid += issues.length;
      if (firstProblem === '') firstProblem = issues[0]!;
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(o.port, o.host, () => {
      socket.removeAllListeners('error');
      resolve();
    });
  });
  socket.on('error', (err) => o.warn(`statsd: ${err.message}`));

  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      const batch = agg.flush(Date.now());
      const refused = invalid;
      invalid = 0;
      if (refused > 0)
        o.warn(
          `statsd: ${refused} lines refused in the last interval, e.g. ${firstProblem || 'invalid name or tag'}`,
        );
      firstProblem = '';
      if (batch.length === 0) return;
      try {
        await commitBatch(batch, { appendable, limits: o.limits, report: o.report }, 'statsd');
      } catch (err) {
        o.warn(`statsd: cannot store a flush: ${(err as Error).message}`);
      }
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), o.flushIntervalMs);
  timer.unref();
  return {
    port: (socket.address() as AddressInfo).port,
    flush,
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await flush();
    },
  };
}
