/**
 * Warnings and infos attached to a successful query, rendered as Prometheus renders them:
 * `PromQL warning: <message> (<line>:<col>)`, the position being the start of the expression that
 * caused it (1-based line and byte column).
 */

import type { PosRange } from '../parser/ast.js';

export class Annotations {
  private readonly warns = new Set<string>();
  private readonly infoSet = new Set<string>();
  private readonly seen = new WeakSet<object>();

  constructor(private readonly query: string) {}

  warn(message: string, pos: PosRange): void {
    this.warns.add(`PromQL warning: ${message}${this.where(pos)}`);
  }

  info(message: string, pos: PosRange): void {
    this.infoSet.add(`PromQL info: ${message}${this.where(pos)}`);
  }

  /** True the first time it is called with `key` in this query (to check things once per series). */
  once(key: object): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  warnings(): string[] {
    return [...this.warns];
  }

  infos(): string[] {
    return [...this.infoSet];
  }

  private where(pos: PosRange): string {
    if (this.query === '') return '';
    let line = 1;
    let col = 1;
    const end = Math.min(pos.start, this.query.length);
    for (let i = 0; i < end; i++) {
      if (this.query.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    return ` (${line}:${col})`;
  }
}
