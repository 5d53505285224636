/**
 * The embedded time-series database: the entry point that ties the stages of `tsdb/` together.
 * It knows nothing of HTTP, JSON or PromQL.
 */

import { mkdirSync } from 'node:fs';
import type { Appendable, Appender, Querier, Queryable } from '../storage/types.js';
import { Head } from './head/head.js';

export interface DBOptions {
  /** Directory holding the database's files; created when missing. */
  readonly dir: string;
}

export class DB implements Appendable, Queryable {
  readonly head = new Head();

  private constructor(readonly options: DBOptions) {}

  /** Opens (or creates) the database in `options.dir`. */
  static async open(options: DBOptions): Promise<DB> {
    mkdirSync(options.dir, { recursive: true });
    return new DB(options);
  }

  appender(): Appender {
    return this.head.appender();
  }

  querier(mint: number, maxt: number): Querier {
    return this.head.querier(mint, maxt);
  }

  /** Flushes what must be durable and releases resources. */
  async close(): Promise<void> {}
}
