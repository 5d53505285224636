/** Parse errors that read like Prometheus': `1:5: parse error: unexpected "}" in label matching, expected string`. */

import type { PosRange } from './ast.js';

/**
 * Thrown by the parser for any syntax or type error. `message` is the full Prometheus-style text
 * (with `line:col` in front); `reason` is the part after `parse error: `.
 */
export class ParseError extends Error {
  readonly code = 'bad_data';
  /** 1-based line and 1-based byte column of `pos.start`, as Prometheus counts them. */
  readonly line: number;
  readonly column: number;

  constructor(
    readonly reason: string,
    readonly pos: PosRange,
    query: string,
  ) {
    const { line, column } = lineColumn(query, pos.start);
    super(`${line}:${column}: parse error: ${reason}`);
    this.name = 'ParseError';
    this.line = line;
    this.column = column;
  }
}

/**
 * Line and column of a string offset. Columns count UTF-8 bytes because Prometheus positions are
 * byte offsets, so the numbers in our messages match its messages for non-ASCII queries too.
 */
export function lineColumn(query: string, offset: number): { line: number; column: number } {
  const before = query.slice(0, Math.max(0, Math.min(offset, query.length)));
  const lastBreak = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
  return { line, column: Buffer.byteLength(before.slice(lastBreak + 1)) + 1 };
}
